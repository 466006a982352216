// lokahi console: small enhancements over server-rendered pages (which work without scripts).
// Draws a check's response-time chart with uPlot from /checks/<id>/series.
(function () {
  'use strict';

  function draw(container, windowName) {
    var src = container.getAttribute('data-src') + '?window=' + encodeURIComponent(windowName);
    fetch(src, { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (d) {
        container.textContent = '';
        if (!d.t.length) {
          var p = document.createElement('p');
          p.className = 'calm';
          p.textContent = 'No answered probes in this window yet.';
          container.appendChild(p);
          return;
        }
        var width = Math.max(320, container.clientWidth || 800);
        var opts = {
          width: width,
          height: 260,
          scales: { x: { time: true, range: [d.from, d.to] } },
          axes: [{}, { label: 'ms' }],
          series: [
            {},
            { label: 'p50', stroke: '#2563eb', width: 2 },
            { label: 'p95', stroke: '#dc2626', width: 2 },
            { label: 'DNS', stroke: '#a3a3a3' },
            { label: 'connect', stroke: '#16a34a' },
            { label: 'TLS', stroke: '#9333ea' },
            { label: 'first byte', stroke: '#ea580c' }
          ]
        };
        var data = [d.t, d.p50, d.p95, d.dns, d.connect, d.tls, d.first_byte];
        new uPlot(opts, data, container);
        container.setAttribute('data-drawn', windowName);
      })
      .catch(function (e) {
        container.textContent = 'Chart unavailable: ' + e.message;
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var chart = document.getElementById('latency-chart');
    if (!chart || typeof uPlot === 'undefined') return;
    draw(chart, '24h');
    var buttons = document.querySelectorAll('.chart-windows button');
    buttons.forEach(function (b) {
      b.addEventListener('click', function () {
        buttons.forEach(function (o) { o.classList.toggle('chosen', o === b); });
        draw(chart, b.getAttribute('data-window'));
      });
    });
  });
})();
