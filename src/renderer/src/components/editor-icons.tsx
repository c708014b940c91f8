/** The editor's toolbar icons, drawn like icons.tsx (inline strokes, aria-hidden). */
import { Svg } from './icons';

export const UndoIcon = () => (
  <Svg>
    <path d="M5.5 3.5 2.5 6.5l3 3" />
    <path d="M2.5 6.5h7a4 4 0 0 1 0 8H7" />
  </Svg>
);
export const RedoIcon = () => (
  <Svg>
    <path d="m10.5 3.5 3 3-3 3" />
    <path d="M13.5 6.5h-7a4 4 0 0 0 0 8H9" />
  </Svg>
);
export const LayoutIcon = () => (
  <Svg>
    <rect x="1.5" y="2.5" width="4.5" height="3.5" rx="1" />
    <rect x="10" y="2.5" width="4.5" height="3.5" rx="1" />
    <rect x="5.75" y="10" width="4.5" height="3.5" rx="1" />
    <path d="M3.75 6v1.75h8.5V6M8 7.75V10" />
  </Svg>
);
