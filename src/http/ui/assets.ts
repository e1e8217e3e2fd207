/**
 * The dashboard's stylesheet and its one script, served from /ui/static so the CSP allows no
 * inline style or script. The script only refreshes a rollout page in place every 10 s (not while
 * the operator is typing in a form); every page works without it.
 */
export const CSS = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--bad:#b42318;--good:#1a7f37;--warn:#9a6700;--acc:#0550ae}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9da7b3;--line:#30363d;--bad:#ff7b72;--good:#56d364;--warn:#e3b341;--acc:#79c0ff}}
body{font:15px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0}
header{display:flex;gap:1rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid var(--line)}
header nav{display:flex;gap:1rem;flex:1}
main{padding:1rem;max-width:1200px}
a{color:var(--acc)}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
.muted{color:var(--muted)}
.badge{display:inline-block;padding:0 .4rem;border:1px solid currentColor;border-radius:.6rem;font-size:.85em}
.bad{color:var(--bad)}.good{color:var(--good)}.warn{color:var(--warn)}
.error{border:1px solid var(--bad);color:var(--bad);padding:.5rem;margin:.5rem 0}
form.inline{display:inline-flex;gap:.4rem;align-items:center;margin:.2rem .6rem .2rem 0}
input,button,select{font:inherit;padding:.2rem .4rem}
button{cursor:pointer}
button.danger{color:#fff;background:var(--bad);border:0}
pre{background:rgba(127,127,127,.1);padding:.5rem;overflow:auto;max-height:30rem}
svg.chart{width:100%;max-width:560px;height:auto;border:1px solid var(--line)}
svg text{fill:var(--fg);font-size:11px}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
progress{width:10rem}
`;

export const LIVE_JS = `
(function(){var m=document.querySelector('main[data-live]');if(!m)return;
setInterval(function(){var a=document.activeElement;if(a&&a.form)return;
fetch(location.href,{credentials:'same-origin'}).then(function(r){return r.ok?r.text():null}).then(function(t){if(!t)return;
var d=new DOMParser().parseFromString(t,'text/html').querySelector('main');if(d)m.innerHTML=d.innerHTML;}).catch(function(){});},10000);})();
`;
