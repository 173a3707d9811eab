//! The page's style and scripts, inline so that a page loads nothing.

pub(super) const STYLE: &str = r#"
:root{--ink:#1f2937;--dim:#6b7280;--line:#e5e7eb;--bg:#f8fafc;--pass:#15803d;--fail:#b91c1c;--warn:#b45309;--num:#d97706;--num-bg:#fef3c7;--filler:#be123c;--filler-bg:#ffe4e6}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1080px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:19px;margin:0;overflow-wrap:break-word}
h2{font-size:16px;margin:0 0 10px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:14px 0}
.sub{color:var(--dim);font-size:13px}
.headline{display:flex;gap:20px;align-items:center;flex-wrap:wrap}
.score{flex:none;width:92px;height:92px;border-radius:50%;display:flex;flex-direction:column;align-items:center;justify-content:center;color:#fff;font-weight:700;font-size:30px;line-height:1}
.score small{font-size:12px;font-weight:500;opacity:.9;margin-top:3px}
.good{background:var(--pass)}.fair{background:var(--warn)}.poor{background:var(--fail)}
.verdict{font-size:17px;font-weight:600;margin:2px 0 8px}
.stats{display:flex;gap:8px;flex-wrap:wrap;margin:0;padding:0;list-style:none}
.stats li{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:3px 10px;font-size:13px}
.stats b{font-size:15px}
ol.fixes{margin:0;padding-left:22px}ol.fixes li{margin:4px 0}
.id{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:0 5px}
.player{position:sticky;top:0;z-index:2;display:flex;gap:14px;align-items:center;background:#fff;border:1px solid var(--line);border-radius:10px;padding:8px 14px;margin:14px 0;box-shadow:0 2px 6px rgba(0,0,0,.05)}
.player audio{flex:1;min-width:220px;height:36px}
svg{display:block;width:100%;height:auto}
svg.tl.narrow{display:none}
@media (max-width:600px){svg.tl.wide{display:none}svg.tl.narrow{display:block}main{padding:12px 8px 32px}section{padding:12px 10px}}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
.word{cursor:pointer}.word text{font-size:12px;fill:#374151}.word:hover text{fill:#000;text-decoration:underline}
.word rect{fill:#94a3b8}.word.num text{fill:var(--num);font-weight:700}.word.num rect{fill:var(--num)}
.word.filler text{fill:var(--filler);font-style:italic}.word.filler rect{fill:var(--filler)}
.word.now text{fill:#000;font-weight:700}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin:8px 0 0;padding:0;list-style:none;font-size:12px;color:var(--dim)}
.legend i{display:inline-block;width:14px;height:10px;margin-right:5px;vertical-align:-1px;border-radius:2px}
ul.checks{list-style:none;margin:0;padding:0}
ul.checks li{display:flex;gap:10px;padding:8px 0;border-top:1px solid var(--line)}
ul.checks li:first-child{border-top:0}
.mark{flex:none;width:24px;height:24px;border-radius:50%;color:#fff;font-weight:700;text-align:center;line-height:24px;font-size:14px}
.pass .mark{background:var(--pass)}.fail .mark{background:var(--fail)}.warn .mark{background:var(--warn)}.skip .mark{background:#cbd5e1}
.skip{color:var(--dim)}
.evidence{font-size:13px;color:var(--dim);margin-top:2px}
.advice{font-size:14px;margin-top:3px;padding-left:8px;border-left:3px solid var(--warn)}
.fail .advice{border-color:var(--fail)}
.t{cursor:pointer;color:#1d4ed8;font-variant-numeric:tabular-nums;text-decoration:underline dotted}
.transcript{font-size:16px;line-height:1.9;margin:0}
.w{cursor:pointer;border-radius:3px;padding:1px 1px}.w:hover{background:#e0e7ff}
.w.now{background:#c7d2fe}
mark.num{background:var(--num-bg);color:#92400e;font-weight:600;border-radius:3px;padding:1px 2px}
mark.filler{background:var(--filler-bg);color:var(--filler);font-style:italic;border-radius:3px;padding:1px 2px}
dl.numbers{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0;font-size:14px}
dl.numbers dt{color:var(--dim)}dl.numbers dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.nw{white-space:nowrap}
th button{all:unset;cursor:pointer;font-weight:600}
th[aria-sort=ascending] button::after{content:" \25B2";font-size:10px}
th[aria-sort=descending] button::after{content:" \25BC";font-size:10px}
footer{color:var(--dim);font-size:12px;text-align:center;margin-top:18px}
"#;

/// Clicking anything with `data-start` plays the recording from there; while
/// it plays, a line on the timeline and the word being said follow along.
pub(super) const PLAYER_SCRIPT: &str = r#"(function(){
var p=document.getElementById('player');if(!p)return;
var svgs=[].slice.call(document.querySelectorAll('svg.tl'));
var spans=[].slice.call(document.querySelectorAll('[data-start][data-end]'));
document.addEventListener('click',function(e){
 var el=e.target.closest('[data-start]');if(!el)return;
 p.currentTime=parseFloat(el.getAttribute('data-start'));
 var r=p.play();if(r&&r.catch)r.catch(function(){});
});
p.addEventListener('timeupdate',function(){
 var t=p.currentTime;
 svgs.forEach(function(svg){
  var d=svg.dataset,ph=svg.querySelector('.playhead'),rs=+d.rowS,row=Math.floor(t/rs),x=+d.x0+(t-row*rs)*+d.pps,y=row*+d.rowH;
  ph.setAttribute('x1',x);ph.setAttribute('x2',x);ph.setAttribute('y1',y+ +d.top);ph.setAttribute('y2',y+ +d.bottom);
  ph.setAttribute('visibility','visible');
 });
 spans.forEach(function(s){s.classList.toggle('now',t>=+s.dataset.start&&t<+s.dataset.end);});
});
})();"#;

/// Clicking a column's header sorts the table by it (again: the other way).
pub(super) const SORT_SCRIPT: &str = r#"(function(){
document.querySelectorAll('th[data-sort]').forEach(function(th){
 th.addEventListener('click',function(){
  var body=th.closest('table').tBodies[0],rows=[].slice.call(body.rows),i=th.cellIndex,num=th.dataset.sort==='num';
  var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
  th.parentNode.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});
  th.setAttribute('aria-sort',dir>0?'ascending':'descending');
  rows.sort(function(a,b){var x=a.cells[i].dataset.v,y=b.cells[i].dataset.v;return dir*(num?x-y:x.localeCompare(y));});
  rows.forEach(function(r){body.appendChild(r);});
 });
});
})();"#;
