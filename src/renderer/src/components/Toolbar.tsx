/** The top bar: product, topic and protocol pickers, run controls, time, theme. */
import { useId } from 'react';
import { chooseProtocol, chooseTopic, toggleTheme } from '../app/actions';
import { clampSeed, SPEED_MAX_X, SPEED_MIN_X, usePlayback } from '../stores/playback-store';
import { selectProtocol, topicsOf, useSession } from '../stores/session-store';
import { selectTheme, useUi } from '../stores/ui-store';
import {
  KeyboardIcon,
  LogoMark,
  MoonIcon,
  PauseIcon,
  PlayIcon,
  ResetIcon,
  StepBackIcon,
  StepIcon,
  SunIcon,
} from './icons';

/** Why the run buttons are disabled, until the sim host lands. */
export const RUN_PENDING = 'Running arrives with the simulation host';

/** Speed shown to people: 0.1x, 2.5x, 40x, 1000x. */
export function formatSpeed(x: number): string {
  if (x < 1) return `${x.toFixed(2).replace(/0$/, '')}x`;
  if (x < 10) return `${x.toFixed(1).replace(/\.0$/, '')}x`;
  return `${Math.round(x)}x`;
}

/** Virtual time in seconds with millisecond precision. */
export function formatTime(us: number): string {
  return `t = ${(us / 1e6).toFixed(3)} s`;
}

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
          disabled={empty}
          onChange={(e) => void chooseTopic(e.target.value)}
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
          onChange={(e) => void chooseProtocol(e.target.value)}
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

function RunControls() {
  const seed = usePlayback((s) => s.seed);
  const speedX = usePlayback((s) => s.speedX);
  const timeUs = usePlayback((s) => s.timeUs);
  const setSeed = usePlayback((s) => s.setSeed);
  const setSpeed = usePlayback((s) => s.setSpeed);
  const speedId = useId();
  const seedId = useId();
  const buttons = [
    { name: 'Reset', icon: <ResetIcon /> },
    { name: 'Step back', icon: <StepBackIcon /> },
    { name: 'Play', icon: <PlayIcon /> },
    { name: 'Pause', icon: <PauseIcon /> },
    { name: 'Step', icon: <StepIcon /> },
  ];
  return (
    <fieldset className="tb-group tb-run">
      <legend className="sr-only">Run</legend>
      <span className="btn-row" title={RUN_PENDING}>
        {buttons.map((b) => (
          <button
            key={b.name}
            type="button"
            className="icon-btn"
            aria-label={b.name}
            title={RUN_PENDING}
            disabled
          >
            {b.icon}
          </button>
        ))}
      </span>
      <output className="time-readout" aria-label="Virtual time" title="Virtual time of the current event">
        {formatTime(timeUs)}
      </output>
      <span className="tb-sep" aria-hidden="true" />
      <label className="tb-field" htmlFor={speedId}>
        <span className="tb-label">Speed</span>
        <input
          id={speedId}
          className="slider"
          type="range"
          min={LOG_MIN}
          max={LOG_MAX}
          step={0.01}
          value={Math.log10(speedX)}
          aria-valuetext={formatSpeed(speedX)}
          title="Playback speed, in multiples of real time (log scale)"
          onChange={(e) => setSpeed(Number((10 ** Number(e.target.value)).toPrecision(4)))}
        />
        <span className="speed-value" aria-hidden="true">
          {formatSpeed(speedX)}
        </span>
      </label>
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
          title="Every random draw in a run derives from this seed"
          onChange={(e) => setSeed(clampSeed(e.target.valueAsNumber))}
        />
      </label>
    </fieldset>
  );
}

export function Toolbar() {
  const theme = useUi(selectTheme);
  const openDialog = useUi((s) => s.openDialog);
  return (
    <header className="toolbar">
      <div className="brand">
        <LogoMark />
        <span className="brand-name">DSLab</span>
      </div>
      <span className="tb-sep" aria-hidden="true" />
      <Pickers />
      <span className="tb-sep" aria-hidden="true" />
      <RunControls />
      <div className="tb-spacer" />
      <button
        type="button"
        className="icon-btn"
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts (Ctrl+/)"
        onClick={() => openDialog('shortcuts')}
      >
        <KeyboardIcon />
      </button>
      <button
        type="button"
        className="icon-btn"
        aria-label="Toggle theme"
        title={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme (Ctrl+Shift+D)`}
        onClick={toggleTheme}
      >
        {theme === 'dark' ? <SunIcon /> : <MoonIcon />}
      </button>
    </header>
  );
}
