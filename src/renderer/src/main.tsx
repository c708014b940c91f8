import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { THEME_CACHE_KEY } from './app/actions';
import '@xyflow/react/dist/style.css';
import './styles.css';

// Paint in the last shown theme before settings.get answers, so a dark lab does not flash white.
try {
  const cached = localStorage.getItem(THEME_CACHE_KEY);
  if (cached === 'light' || cached === 'dark') document.documentElement.dataset.theme = cached;
} catch {
  // No storage: the theme arrives with the settings.
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
