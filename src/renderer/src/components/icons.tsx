/** Small stroke icons drawn inline (no icon font, nothing fetched). Decorative: aria-hidden. */
import type { ReactNode } from 'react';

/** The frame every icon shares: a 16-unit stroke drawing in the current text colour. */
export function Svg({ children, size = 16 }: { children: ReactNode; size?: number }) {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export const PlayIcon = () => (
  <Svg>
    <path d="M5 3.5v9l7-4.5z" fill="currentColor" />
  </Svg>
);
export const PauseIcon = () => (
  <Svg>
    <path d="M5.5 3.5v9M10.5 3.5v9" />
  </Svg>
);
export const StepIcon = () => (
  <Svg>
    <path d="M4 3.5v9l6-4.5z" fill="currentColor" />
    <path d="M12.5 3.5v9" />
  </Svg>
);
export const StepBackIcon = () => (
  <Svg>
    <path d="M12 3.5v9L6 8z" fill="currentColor" />
    <path d="M3.5 3.5v9" />
  </Svg>
);
export const ResetIcon = () => (
  <Svg>
    <path d="M3 8a5 5 0 1 0 1.5-3.5" />
    <path d="M3 2.5v3h3" />
  </Svg>
);
export const SunIcon = () => (
  <Svg>
    <circle cx="8" cy="8" r="2.75" />
    <path d="M8 1.5v1.5M8 13v1.5M1.5 8H3M13 8h1.5M3.4 3.4l1 1M11.6 11.6l1 1M3.4 12.6l1-1M11.6 4.4l1-1" />
  </Svg>
);
export const MoonIcon = () => (
  <Svg>
    <path d="M13 9.5A5.5 5.5 0 0 1 6.5 3a5.5 5.5 0 1 0 6.5 6.5z" />
  </Svg>
);
export const KeyboardIcon = () => (
  <Svg>
    <rect x="1.5" y="4" width="13" height="8" rx="1.5" />
    <path d="M4 6.5h.01M6.5 6.5h.01M9 6.5h.01M11.5 6.5h.01M5 9.5h6" />
  </Svg>
);
export const InfoIcon = () => (
  <Svg>
    <circle cx="8" cy="8" r="6" />
    <path d="M8 7.5v3.5M8 5h.01" />
  </Svg>
);
export const CloseIcon = () => (
  <Svg>
    <path d="M4 4l8 8M12 4l-8 8" />
  </Svg>
);
export const GripIcon = () => (
  <Svg size={12}>
    <path d="M6 4h.01M10 4h.01M6 8h.01M10 8h.01M6 12h.01M10 12h.01" strokeWidth="2" />
  </Svg>
);
export const LogoMark = () => (
  <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false">
    <circle cx="4.5" cy="10" r="2.5" fill="var(--accent)" />
    <circle cx="15.5" cy="4.5" r="2.5" fill="var(--role-2)" />
    <circle cx="15.5" cy="15.5" r="2.5" fill="var(--role-3)" />
    <path d="M6.8 9l6.4-3.4M6.8 11l6.4 3.4M15.5 7v6" stroke="var(--text-muted)" strokeWidth="1.3" />
  </svg>
);
export const NextIcon = () => (
  <Svg>
    <path d="M3 8h8M8 4.5 11.5 8 8 11.5M13 3.5v9" />
  </Svg>
);
export const ChevronDownIcon = () => (
  <Svg size={12}>
    <path d="M4 6l4 4 4-4" />
  </Svg>
);
export const CrashIcon = () => (
  <Svg size={11}>
    <path d="M4 4l8 8M12 4l-8 8" />
  </Svg>
);
export const ClockIcon = () => (
  <Svg size={11}>
    <circle cx="8" cy="8" r="5.5" />
    <path d="M8 5v3l2 1.5" />
  </Svg>
);
export const MoreIcon = () => (
  <Svg>
    <path d="M3.5 8h.01M8 8h.01M12.5 8h.01" strokeWidth="2.5" />
  </Svg>
);
