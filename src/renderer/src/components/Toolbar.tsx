/** The top bar: product, topic and protocol pickers, run controls, time and event, theme. */
import { useId } from 'react';
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
  PauseIcon,
  PlayIcon,
  ResetIcon,
  StepBackIcon,
  StepIcon,
  SunIcon,
} from './icons';
import { StepToNext } from './StepToNext';
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

function RunControls() {
  const seed = usePlayback((s) => s.seed);
  const speedX = usePlayback((s) => s.speedX);
  const setSeed = usePlayback((s) => s.setSeed);
  const playing = useRun(selectPlaying);
  const event = useRun(selectEvent);
  const nowUs = useRun(selectNowUs);
  const done = useRun((s) => s.status?.done ?? false);
  const hasRun = useRun((s) => s.simId !== null);
  const ready = useGraph((s) => s.base !== null);
  const speedId = useId();
  const seedId = useId();
  return (
    <fieldset className="tb-group tb-run">
      <legend className="sr-only">Run</legend>
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
        <BranchButton />
      </span>
      <output className="time-readout" aria-label="Virtual time" title="Virtual time of the current event">
        {formatTime(nowUs)}
      </output>
      <output className="event-readout" aria-label="Event index" title="Events processed so far">
        {formatEvent(event)}
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
