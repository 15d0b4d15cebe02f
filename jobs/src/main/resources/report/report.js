/* The morning report's charts: Apache ECharts (inlined before this script) over the JSON in
   #report-data. Each chart container gets data-points (points drawn, from the data) and
   data-rendered, or data-error when drawing failed; the body gets data-charts-drawn. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#1f6feb', '#e8590c', '#2f9e44', '#ae3ec9', '#f08c00', '#0c8599', '#c2255c', '#5c940d',
    '#6741d9', '#868e96', '#d6336c', '#1098ad'];
  var drawn = 0;
  var failed = [];
  document.documentElement.className += ' js';

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }
  function pct(v) { return v == null ? '–' : (100 * v).toFixed(1) + ' %'; }
  function num(v, d) { return v == null ? '–' : Number(v).toFixed(d); }
  function money(v) { return v == null ? '–' : Math.round(v).toLocaleString('en-US'); }

  function draw(name, build) {
    var el = document.getElementById('chart-' + name);
    if (!el || !data[name]) {
      return;
    }
    try {
      var chart = echarts.init(el, null, {renderer: 'svg'});
      var built = build(data[name], chart);
      built.option.animation = false;
      chart.setOption(built.option);
      if (built.after) {
        built.after(chart);
      }
      el.setAttribute('data-points', String(built.points));
      el.setAttribute('data-svg-nodes', String(el.querySelectorAll('svg *').length));
      el.setAttribute('data-rendered', 'true');
      drawn++;
      window.addEventListener('resize', function () { chart.resize(); });
    } catch (e) {
      el.setAttribute('data-error', String(e && e.message ? e.message : e));
      failed.push(name);
    }
  }

  // Health x temperature: one bubble per segment, quadrant areas and lines, customers of the hovered quadrant.
  draw('map', function (d) {
    var maxMrr = Math.max.apply(null, d.segments.map(function (s) { return s.mrr || 0; }).concat([1]));
    var q = d.quadrants, h = d.healthLine, t = d.temperatureLine;
    var bubbles = d.segments.map(function (s, i) {
      return {name: s.segment_name, value: [s.avg_health, s.avg_temperature], raw: s,
        symbolSize: 16 + 64 * Math.sqrt(Math.max(s.mrr || 0, 0) / maxMrr),
        itemStyle: {color: palette[i % palette.length], opacity: 0.78, borderColor: '#fff', borderWidth: 1}};
    });
    function area(name, x0, y0, x1, y1, color, position) {
      return [{name: name, xAxis: x0, yAxis: y0, itemStyle: {color: color},
        label: {position: position, color: '#44515f', fontWeight: 'bold', fontSize: 13}}, {xAxis: x1, yAxis: y1}];
    }
    function quadrantOf(x, y) {
      return x >= h ? (y >= t ? q.highHigh : q.highLow) : (y >= t ? q.lowHigh : q.lowLow);
    }
    function show(name) {
      var lists = document.querySelectorAll('.quadrant-list');
      for (var i = 0; i < lists.length; i++) {
        lists[i].classList.toggle('active', lists[i].getAttribute('data-quadrant') === name);
      }
    }
    var first = Object.keys(d.customers).filter(function (k) { return d.customers[k].length > 0; })[0];
    show(first || q.highHigh);
    return {
      points: bubbles.length,
      option: {
        grid: {left: 56, right: 24, top: 24, bottom: 48},
        tooltip: {trigger: 'item', formatter: function (p) {
          if (!p.data || !p.data.raw) { return ''; }
          var s = p.data.raw;
          return '<b>' + esc(s.segment_name) + '</b><br>' + money(s.accounts) + ' customers · MRR ' + money(s.mrr) +
            '<br>health ' + num(s.avg_health, 1) + ' · temperature ' + num(s.avg_temperature, 1) +
            '<br>churn ' + pct(s.churn_rate) + ' · mostly ' + esc(s.quadrant);
        }},
        xAxis: {type: 'value', name: 'health (usage stickiness)', nameLocation: 'middle', nameGap: 28, min: 0, max: 100},
        yAxis: {type: 'value', name: 'temperature (purchase intent)', nameLocation: 'middle', nameGap: 36, min: 0,
          max: 100},
        series: [{
          type: 'scatter', data: bubbles,
          label: {show: true, position: 'top', formatter: '{b}', color: '#1d2430', fontSize: 12},
          markArea: {silent: true, data: [
            area(q.highHigh, h, t, 100, 100, 'rgba(47,158,68,0.07)', 'insideTopRight'),
            area(q.lowHigh, 0, t, h, 100, 'rgba(31,111,235,0.07)', 'insideTopLeft'),
            area(q.lowLow, 0, 0, h, t, 'rgba(134,142,150,0.09)', 'insideBottomLeft'),
            area(q.highLow, h, 0, 100, t, 'rgba(232,89,12,0.07)', 'insideBottomRight')]},
          markLine: {silent: true, symbol: 'none', lineStyle: {type: 'dashed', color: '#44515f'}, label: {show: false},
            data: [{xAxis: h}, {yAxis: t}]}
        }]
      },
      after: function (chart) {
        chart.on('mouseover', function (p) { if (p.data && p.data.raw) { show(p.data.raw.quadrant); } });
        chart.getZr().on('mousemove', function (e) {
          if (chart.containPixel('grid', [e.offsetX, e.offsetY])) {
            var v = chart.convertFromPixel('grid', [e.offsetX, e.offsetY]);
            show(quadrantOf(v[0], v[1]));
          }
        });
      }
    };
  });

  function retention(d) {
    var series = d.series.map(function (s, i) {
      return {name: s.name, type: 'line', showSymbol: false, color: palette[i % palette.length],
        data: s.points.map(function (p) { return [p[0], p[1]]; })};
    });
    if (d.all.length) {
      series.push({name: 'all accounts', type: 'line', showSymbol: false, color: '#1d2430',
        lineStyle: {type: 'dashed', width: 3}, data: d.all.map(function (p) { return [p[0], p[1]]; })});
    }
    var points = series.reduce(function (n, s) { return n + s.data.length; }, 0);
    return {
      points: points,
      option: {
        grid: {left: 52, right: 16, top: 16, bottom: 78},
        tooltip: {trigger: 'axis', valueFormatter: pct},
        legend: {type: 'scroll', bottom: 0},
        xAxis: {type: 'value', name: 'months since signup', nameLocation: 'middle', nameGap: 26, min: 0},
        yAxis: {type: 'value', min: 0, max: 1, axisLabel: {formatter: function (v) { return Math.round(v * 100) + '%'; }}},
        series: series
      }
    };
  }
  draw('retention-cohort', retention);
  draw('retention-segment', retention);

  function ltvToCac(d) {
    var highest = Math.max.apply(null, d.bars.map(function (b) { return b.value || 0; }));
    var yAxis = {type: 'value', name: 'LTV / CAC', min: 0};
    if (highest < 3.5) {
      yAxis.max = 4; // the 3x line stays in view
    }
    return {
      points: d.bars.length,
      option: {
        grid: {left: 48, right: 16, top: 24, bottom: 64},
        tooltip: {trigger: 'item', formatter: function (p) {
          var b = p.data.raw;
          return '<b>' + esc(b.name) + '</b><br>LTV / CAC ' + num(b.value, 2) + '<br>LTV ' + money(b.ltv) +
            ' · CAC ' + money(b.cac) + '<br>payback ' + num(b.payback, 1) + ' months';
        }},
        xAxis: {type: 'category', data: d.bars.map(function (b) { return b.name; }),
          axisLabel: {interval: 0, rotate: d.bars.length > 4 ? 25 : 0}},
        yAxis: yAxis,
        series: [{type: 'bar', barMaxWidth: 48, data: d.bars.map(function (b) {
          return {value: b.value, raw: b, itemStyle: {color: b.value != null && b.value >= 3 ? '#2f9e44' : '#e03131'}};
        }), label: {show: true, position: 'top', formatter: function (p) { return num(p.value, 1) + '×'; }},
        markLine: {silent: true, symbol: 'none', lineStyle: {type: 'dashed', color: '#1d2430', width: 2},
          label: {formatter: '3× CAC', position: 'insideEndTop'}, data: [{yAxis: 3}]}}]
      }
    };
  }
  draw('ltv-cac-channel', ltvToCac);
  draw('ltv-cac-segment', ltvToCac);

  draw('lift', function (d) {
    return {
      points: d.points.length,
      option: {
        grid: {left: 48, right: 52, top: 32, bottom: 40},
        tooltip: {trigger: 'axis'},
        legend: {top: 0},
        xAxis: {type: 'category', data: d.points.map(function (p) { return 'top ' + p.decile * 10 + '%'; })},
        yAxis: [{type: 'value', name: 'lift', min: 0}, {type: 'value', name: 'churners found', min: 0, max: 1,
          axisLabel: {formatter: function (v) { return Math.round(v * 100) + '%'; }}}],
        series: [
          {name: 'cumulative lift', type: 'bar', barMaxWidth: 40, color: '#1f6feb',
            data: d.points.map(function (p) { return p.lift; }),
            markLine: {silent: true, symbol: 'none', lineStyle: {type: 'dashed', color: '#1d2430'},
              label: {formatter: 'random'}, data: [{yAxis: 1}]}},
          {name: 'share of churners found', type: 'line', yAxisIndex: 1, color: '#e8590c',
            data: d.points.map(function (p) { return p.recall; })}]
      }
    };
  });

  draw('calibration', function (d) {
    var maxN = Math.max.apply(null, d.points.map(function (p) { return p.examples; }).concat([1]));
    return {
      points: d.points.length,
      option: {
        grid: {left: 52, right: 16, top: 32, bottom: 44},
        legend: {top: 0},
        tooltip: {trigger: 'item', formatter: function (p) {
          if (!p.data || !p.data.raw) { return ''; }
          var b = p.data.raw;
          return 'predicted ' + pct(b.mean_probability) + '<br>observed ' + pct(b.churn_rate) + '<br>' +
            money(b.examples) + ' examples';
        }},
        xAxis: {type: 'value', name: 'predicted churn probability', nameLocation: 'middle', nameGap: 26, min: 0, max: 1},
        yAxis: {type: 'value', name: 'observed churn rate', min: 0, max: 1},
        series: [
          {name: 'perfect calibration', type: 'line', showSymbol: false, color: '#868e96',
            lineStyle: {type: 'dashed'}, data: [[0, 0], [1, 1]]},
          {name: 'champion', type: 'line', color: '#1f6feb', data: d.points.map(function (b) {
            return {value: [b.mean_probability, b.churn_rate], raw: b,
              symbolSize: 6 + 14 * Math.sqrt(b.examples / maxN)};
          })}]
      }
    };
  });

  draw('relevance', function (d) {
    var bars = d.bars.slice().reverse();
    var colors = {predictive: '#2f9e44', weak: '#f08c00', noise: '#adb5bd'};
    return {
      points: bars.length,
      option: {
        grid: {left: 200, right: 24, top: 8, bottom: 32},
        tooltip: {trigger: 'item', formatter: function (p) {
          return esc(p.name) + '<br>information value ' + num(p.value, 3) + ' (' + esc(p.data.verdict) + ')';
        }},
        xAxis: {type: 'value', name: 'information value', nameLocation: 'middle', nameGap: 22},
        yAxis: {type: 'category', data: bars.map(function (b) { return b.name; })},
        series: [{type: 'bar', data: bars.map(function (b) {
          return {value: b.value, verdict: b.verdict, itemStyle: {color: colors[b.verdict] || '#1f6feb'}};
        })}]
      }
    };
  });

  document.body.setAttribute('data-charts-drawn', String(drawn));
  document.body.setAttribute('data-charts-failed', failed.join(','));
  // Counted again once the browser has painted: what a reader (or a test) finds drawn.
  setTimeout(function () {
    var charts = document.querySelectorAll('[data-rendered]');
    for (var i = 0; i < charts.length; i++) {
      charts[i].setAttribute('data-svg-nodes', String(charts[i].querySelectorAll('svg *').length));
    }
  }, 100);
}());
