// The playground page's entry point: wires each part (settings, uploads, file list, detail, player, ask box)
// to the page, then lists the server's files. State lives in state.ts, each view under views/.
import './style.css';
import { store } from './state.js';
import { initSettings } from './settings.js';
import { initUpload } from './upload.js';
import { initAsk } from './views/ask.js';
import { initDetail, renderDetail } from './views/detail.js';
import { initFileList, refreshList, renderRow } from './views/file-list.js';
import { initPlayer } from './views/player.js';

initSettings();
initUpload();
initFileList();
initDetail();
initPlayer();
initAsk();

// Relative times ("expires in 2 h") age: refresh them every minute.
setInterval(() => {
  for (const e of store.entries.values()) renderRow(e);
  if (store.selected) renderDetail();
}, 60_000);

renderDetail();
void refreshList();
