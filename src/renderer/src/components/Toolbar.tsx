/** The top bar: product, topic and protocol pickers, run controls, time and event, theme. */
import { useEffect, useId, useRef, useState } from 'react';
import { toggleTheme } from '../app/actions';
import { switchProtocol, switchTopic } from '../app/editor';
import { chooseSpeed } from '../app/pace';
import { pause, play, reset, step, stepBack } from '../app/run';
import { formatEvent, formatSpeed, formatTime } from '../run/format';
import { useGraph } from '../stores/graph-store';
import { clampSeed, SPEED_MAX_X, SPEED_MIN_X, usePlayback } from '../stores/playback-store';
import { selectEvent, selectNowUs, selectPlaying, useRun } from '../stores/run-store';
import { selectProtocol, topicsOf, useSession } from '../stores/session-store';
import { selectTheme, useUi } from '../stores/ui-store';
import {
  KeyboardIcon,
  LogoMark,
  MoonIcon,
  MoreIcon,
  PauseIcon,
  PlayIcon,
  ResetIcon,
  StepBackIcon,
  StepIcon,
  SunIcon,
} from './icons';
import { StepToNext } from './StepToNext';
import { useFold } from './useFold';
import { BranchButton } from './views/BranchDialog';

const LOG_MIN = Math.log10(SPEED_MIN_X);
const LOG_MAX = Math.log10(SPEED_MAX_X);

function Pickers() {
  const protocols = useSession((s) => s.protocols);
  const current = useSession(selectProtocol);
  const topicId = useId();
  const protocolId = useId();
  const topics = topicsOf(protocols);
  const inTopic = protocols.filter((p) => p.topic === current?.topic);
  const empty = protocols.length === 0;
  return (
    <fieldset className="tb-group">
      <legend className="sr-only">Scenario</legend>
      <label className="tb-field" htmlFor={topicId}>
        <span className="tb-label">Topic</span>
        <select
          id={topicId}
          className="select"
          value={current?.topic ?? ''}
          title="Topic"
          disabled={empty}
          onChange={(e) => void switchTopic(e.target.value)}
        >
          {empty && <option value="">Loading…</option>}
          {topics.map((t) => (
            <option key={t.id} value={t.id}>
              {t.title}
            </option>
          ))}
        </select>
      </label>
      <label className="tb-field" htmlFor={protocolId}>
        <span className="tb-label">Protocol</span>
        <select
          id={protocolId}
          className="select"
          value={current?.id ?? ''}
          disabled={empty}
          title={current?.summary}
          onChange={(e) => void switchProtocol(e.target.value)}
        >
          {empty && <option value="">Loading…</option>}
          {inTopic.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </select>
      </label>
    </fieldset>
  );
}

/** The speed slider: virtual seconds per wall second on a log scale. */
function SpeedField() {
  const speedX = usePlayback((s) => s.speedX);
  const speedId = useId();
  return (
    <label className="tb-field" htmlFor={speedId}>
      <span className="tb-label">Speed</span>
      <input
        id={speedId}
        className="slider"
        type="range"
        min={LOG_MIN}
        max={LOG_MAX}
        step={0.05}
        value={Math.log10(speedX)}
        aria-valuetext={formatSpeed(speedX)}
        title="Playback speed: virtual seconds per wall second (log scale)"
        onChange={(e) => chooseSpeed(Number((10 ** Number(e.target.value)).toPrecision(3)))}
      />
      <span className="speed-value" aria-hidden="true">
        {formatSpeed(speedX)}
      </span>
    </label>
  );
}

/** The run's seed. */
function SeedField() {
  const seed = usePlayback((s) => s.seed);
  const setSeed = usePlayback((s) => s.setSeed);
  const seedId = useId();
  return (
    <label className="tb-field" htmlFor={seedId}>
      <span className="tb-label">Seed</span>
      <input
        id={seedId}
        className="input seed-input"
        type="number"
        min={0}
        max={0xffff_ffff}
        step={1}
        value={seed}
        title="Every random draw in a run derives from this seed; changing it resets the run"
        onChange={(e) => setSeed(clampSeed(e.target.valueAsNumber))}
      />
    </label>
  );
}

function RunButtons({ branch }: { branch: boolean }) {
  const playing = useRun(selectPlaying);
  const event = useRun(selectEvent);
  const done = useRun((s) => s.status?.done ?? false);
  const hasRun = useRun((s) => s.simId !== null);
  const ready = useGraph((s) => s.base !== null);
  return (
    <span className="btn-row">
      <button
        type="button"
        className="icon-btn"
        aria-label="Reset"
        title="Reset: back to event 0"
        disabled={!ready}
        onClick={() => void reset()}
      >
        <ResetIcon />
      </button>
      <button
        type="button"
        className="icon-btn"
        aria-label="Step back"
        title="Step back one event (,)"
        disabled={!hasRun || event === 0}
        onClick={() => void stepBack()}
      >
        <StepBackIcon />
      </button>
      <button
        type="button"
        className={`icon-btn${playing ? ' is-on' : ''}`}
        aria-label="Play"
        aria-pressed={playing}
        title="Play (Space)"
        disabled={!ready || done}
        onClick={() => void play()}
      >
        <PlayIcon />
      </button>
      <button
        type="button"
        className="icon-btn"
        aria-label="Pause"
        title="Pause (Space)"
        disabled={!playing}
        onClick={() => void pause()}
      >
        <PauseIcon />
      </button>
      <button
        type="button"
        className="icon-btn"
        aria-label="Step"
        title="Step one event (.)"
        disabled={!ready || done}
        onClick={() => void step()}
      >
        <StepIcon />
      </button>
      <StepToNext disabled={!ready || done} />
      {/* Kept mounted when folded: it owns the Branch dialog and follows the main run. */}
      <BranchButton inline={branch} />
    </span>
  );
}

function Readouts() {
  const event = useRun(selectEvent);
  const nowUs = useRun(selectNowUs);
  return (
    <>
      <output className="time-readout" aria-label="Virtual time" title="Virtual time of the current event">
        {formatTime(nowUs)}
      </output>
      <output className="event-readout" aria-label="Event index" title="Events processed so far">
        {formatEvent(event)}
      </output>
    </>
  );
}

function ShortcutsButton() {
  const openDialog = useUi((s) => s.openDialog);
  return (
    <button
      type="button"
      className="icon-btn"
      aria-label="Keyboard shortcuts"
      title="Keyboard shortcuts (Ctrl+/)"
      onClick={() => openDialog('shortcuts')}
    >
      <KeyboardIcon />
    </button>
  );
}

function ThemeButton() {
  const theme = useUi(selectTheme);
  return (
    <button
      type="button"
      className="icon-btn"
      aria-label="Toggle theme"
      title={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme (Ctrl+Shift+D)`}
      onClick={toggleTheme}
    >
      {theme === 'dark' ? <SunIcon /> : <MoonIcon />}
    </button>
  );
}

/**
 * What the toolbar folds away when the window is too narrow for it, first to last
 * (docs/workbench.md "The toolbar in a narrow window"): the product name, the shortcut and
 * theme buttons (into the "More" menu), the field labels (they stay the fields' accessible
 * names and tooltips), the seed (into the menu), Branch (into the menu), and, only below
 * 1024 px, the speed slider.
 */
export const FOLDS = ['brand', 'prefs', 'labels', 'seed', 'branch', 'speed'] as const;
type Fold = (typeof FOLDS)[number];

/** The "More" menu: a non-modal popover holding the controls folded out of the toolbar. */
function MoreMenu({ folded }: { folded: (f: Fold) => boolean }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const openDialog = useUi((s) => s.openDialog);
  const theme = useUi(selectTheme);
  const hasRun = useRun((s) => s.simId !== null && s.status !== null);

  useEffect(() => {
    if (!open) return;
    panel.current?.querySelector<HTMLElement>('input, button')?.focus();
    const onDown = (e: MouseEvent) => {
      const t = e.target as Node;
      if (!panel.current?.contains(t) && !button.current?.contains(t)) setOpen(false);
    };
    window.addEventListener('mousedown', onDown);
    return () => window.removeEventListener('mousedown', onDown);
  }, [open]);

  /** Closes the menu and gives the focus back to its button (where a dialog returns it). */
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  return (
    <span className="popover-anchor">
      <button
        ref={button}
        type="button"
        className="icon-btn"
        aria-label="More controls"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        title="More controls: the ones the window is too narrow to show"
        onClick={() => setOpen((o) => !o)}
      >
        <MoreIcon />
      </button>
      {open && (
        <div
          ref={panel}
          id={panelId}
          className="popover tb-more"
          role="dialog"
          aria-label="More controls"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              close();
            }
          }}
        >
          {(folded('speed') || folded('seed')) && (
            <div className="tb-more-fields">
              {folded('speed') && <SpeedField />}
              {folded('seed') && <SeedField />}
            </div>
          )}
          {folded('branch') && (
            <button
              type="button"
              className="tb-more-item"
              disabled={!hasRun}
              title="Fork the run here with a change and compare both futures"
              onClick={() => {
                close();
                openDialog('branch');
              }}
            >
              Branch…
            </button>
          )}
          <button
            type="button"
            className="tb-more-item"
            onClick={() => {
              close();
              openDialog('shortcuts');
            }}
          >
            <KeyboardIcon />
            Keyboard shortcuts
          </button>
          <button type="button" className="tb-more-item" onClick={toggleTheme}>
            {theme === 'dark' ? <SunIcon /> : <MoonIcon />}
            {theme === 'dark' ? 'Light theme' : 'Dark theme'}
          </button>
        </div>
      )}
    </span>
  );
}

export function Toolbar() {
  const box = useRef<HTMLElement>(null);
  const start = useRef<HTMLDivElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const protocol = useSession((s) => selectProtocol(s)?.id ?? '');
  const level = useFold(box, [start, end], FOLDS.length, protocol);
  const folded = (f: Fold) => FOLDS.indexOf(f) < level;
  const classes = ['toolbar', folded('brand') && 'no-brand', folded('labels') && 'no-labels'];
  return (
    <header ref={box} className={classes.filter(Boolean).join(' ')} data-folds={level}>
      <div ref={start} className="tb-start">
        <div className="brand">
          <LogoMark />
          <span className="brand-name">DSLab</span>
        </div>
        <span className="tb-sep" aria-hidden="true" />
        <Pickers />
        <span className="tb-sep" aria-hidden="true" />
        <fieldset className="tb-group tb-run">
          <legend className="sr-only">Run</legend>
          <RunButtons branch={!folded('branch')} />
          <Readouts />
          {!folded('speed') && (
            <>
              <span className="tb-sep" aria-hidden="true" />
              <SpeedField />
            </>
          )}
          {!folded('seed') && <SeedField />}
        </fieldset>
      </div>
      <div ref={end} className="tb-end">
        {folded('prefs') ? (
          <MoreMenu folded={folded} />
        ) : (
          <>
            <ShortcutsButton />
            <ThemeButton />
          </>
        )}
      </div>
    </header>
  );
}
