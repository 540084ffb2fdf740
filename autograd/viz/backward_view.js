/* gradwork's step-through backward view: GradworkBackward.mount(element, data, options).
 * `data` comes from autograd.viz.animate.backward_steps(): nodes laid out in columns, and the steps of
 * backward. Plain DOM and SVG, no libraries; used by animate_backward()'s HTML and by the playground. */
(function () {
  "use strict";
  if (window.GradworkBackward) return;
  var SVG = "http://www.w3.org/2000/svg";
  var W = 128, H = 50, DX = 224, DY = 64, PAD = 12;

  function fmt(x) {
    if (typeof x === "string") return x;
    if (x === 0) return "0";
    var a = Math.abs(x);
    if (a >= 1e4 || a < 1e-3) return x.toExponential(3);
    return String(Number(x.toPrecision(4)));
  }
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function h(tag, attrs, parent, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function label(n) { return n.name || n.op || (n.kind === "const" ? "const " + fmt(n.data) : n.id); }

  function mount(root, data, options) {
    options = options || {};
    root.innerHTML = "";
    root.classList.add("gw-backward");
    var byId = {};
    data.nodes.forEach(function (n) { byId[n.id] = n; });
    var steps = data.steps;

    if (options.title) h("div", {"class": "gw-title"}, root, options.title);
    var bar = h("div", {"class": "gw-controls"}, root);
    var bFirst = h("button", {"type": "button", "class": "gw-first", "title": "back to the start"}, bar, "|\u25C0 start");
    var bBack = h("button", {"type": "button", "class": "gw-back", "title": "one step back"}, bar, "\u25C0 back");
    var bStep = h("button", {"type": "button", "class": "gw-step", "title": "one node backward"}, bar, "step \u25B6");
    var bPlay = h("button", {"type": "button", "class": "gw-play"}, bar, "play");
    var bLast = h("button", {"type": "button", "class": "gw-last", "title": "to the end"}, bar, "end \u25B6|");
    var slider = h("input", {"type": "range", "min": "0", "max": String(steps.length), "value": "0",
                             "class": "gw-slider", "aria-label": "step"}, bar);
    var counter = h("span", {"class": "gw-counter"}, bar);
    var info = h("div", {"class": "gw-info"}, root);
    var scroll = h("div", {"class": "gw-scroll"}, root);

    var cols = 0, rows = 0;
    data.nodes.forEach(function (n) { cols = Math.max(cols, n.col + 1); rows = Math.max(rows, n.row + 1); });
    var width = PAD * 2 + (cols - 1) * DX + W, height = PAD * 2 + (rows - 1) * DY + H;
    var svg = el("svg", {"width": width, "height": height, "viewBox": "0 0 " + width + " " + height,
                         "class": "gw-graph"}, scroll);
    var defs = el("defs", {}, svg);
    var marker = el("marker", {"id": "gwarrow", "viewBox": "0 0 10 10", "refX": "10", "refY": "5",
                               "markerWidth": "6", "markerHeight": "6", "orient": "auto-start-reverse"}, defs);
    el("path", {"d": "M 0 0 L 10 5 L 0 10 z", "fill": "#6b7280"}, marker);
    function px(n) { return PAD + n.col * DX; }
    function py(n) { return PAD + n.row * DY; }

    var edgeEls = {}, nodeEls = {};
    var edgeLayer = el("g", {}, svg), nodeLayer = el("g", {}, svg), labelLayer = el("g", {}, svg);
    data.nodes.forEach(function (n) {
      n.parents.forEach(function (p, k) {
        var a = byId[p];
        var x1 = px(a) + W, y1 = py(a) + H / 2, x2 = px(n), y2 = py(n) + H / 2, mx = (x1 + x2) / 2;
        var path = el("path", {"d": "M" + x1 + " " + y1 + " C" + mx + " " + y1 + " " + mx + " " + y2 + " " + x2 + " " + y2,
                               "class": "gw-edge", "marker-end": "url(#gwarrow)"}, edgeLayer);
        var text = el("text", {"x": mx, "y": (y1 + y2) / 2 - 4, "class": "gw-edge-label", "text-anchor": "middle"},
                      labelLayer);
        edgeEls[p + ">" + n.id + ">" + k] = {path: path, text: text};
      });
      var g = el("g", {"class": "gw-node gw-" + n.kind, "data-node": n.id, "data-name": n.name,
                       "transform": "translate(" + px(n) + "," + py(n) + ")"}, nodeLayer);
      var colors = data.colors || {fill: {}, border: {}};
      var box = el("rect", {"width": W, "height": H, "rx": 6, "fill": colors.fill[n.kind] || "#fff",
                            "stroke": colors.border[n.kind] || "#4b5563"}, g);
      var t1 = el("text", {"x": 6, "y": 15, "class": "gw-name"}, g);
      t1.textContent = n.name ? (n.op ? n.name + " = " + n.op : n.name) : (n.op || "const");
      var t2 = el("text", {"x": 6, "y": 30, "class": "gw-data"}, g);
      t2.textContent = "data " + fmt(n.data);
      var t3 = el("text", {"x": 6, "y": 44, "class": "gw-grad"}, g);
      var tip = el("title", {}, g);
      tip.textContent = (n.name || n.id) + " (" + n.kind + ")" + (n.op ? ", op " + n.op : "") + ", data " + n.data;
      nodeEls[n.id] = {g: g, box: box, grad: t3};
      g.addEventListener("click", function () { if (options.onNode) options.onNode(n); });
    });

    var table = h("table", {"class": "gw-grads"}, root);
    var head = h("tr", {}, table);
    h("th", {}, head, "leaf");
    h("th", {}, head, "data");
    h("th", {}, head, "gradient");
    var rowsEls = {};
    data.nodes.forEach(function (n) {
      if (n.parents.length || n.kind === "const") return;
      var tr = h("tr", {"data-name": n.name || n.id, "data-node": n.id, "class": "gw-" + n.kind}, table);
      h("td", {}, tr, label(n));
      h("td", {}, tr, fmt(n.data));
      rowsEls[n.id] = {tr: tr, td: h("td", {"class": "gw-grad-cell"}, tr, "\u2014")};
    });

    function follow(n) {  // keep the node being worked on in view
      var x = px(n), y = py(n), vw = scroll.clientWidth, vh = scroll.clientHeight;
      if (!vw || !vh) return;
      if (x < scroll.scrollLeft || x + W > scroll.scrollLeft + vw) scroll.scrollLeft = Math.max(0, x - vw / 2);
      if (y < scroll.scrollTop || y + H > scroll.scrollTop + vh) scroll.scrollTop = Math.max(0, y - vh / 2);
    }

    var current = 0, timer = null;
    function render(k) {
      current = Math.max(0, Math.min(steps.length, k));
      slider.value = String(current);
      counter.textContent = "step " + current + " of " + steps.length;
      var grads = {}, done = {};
      for (var s = 0; s < current; s++) {
        var st = steps[s];
        if (st.seed) grads[st.node] = st.grad;
        done[st.node] = true;
        st.edges.forEach(function (e) { grads[e.parent] = e.total; });
      }
      data.nodes.forEach(function (n) {
        var ne = nodeEls[n.id];
        var has = Object.prototype.hasOwnProperty.call(grads, n.id);
        ne.grad.textContent = has ? "grad " + fmt(grads[n.id]) : "grad ?";
        ne.g.classList.toggle("gw-has-grad", has);
        ne.g.classList.toggle("gw-done", !!done[n.id]);
        ne.g.classList.remove("gw-current");
        ne.g.classList.remove("gw-target");
        if (rowsEls[n.id]) {
          rowsEls[n.id].td.textContent = has ? fmt(grads[n.id]) : "\u2014";
          if (has) rowsEls[n.id].tr.setAttribute("data-grad", String(grads[n.id]));
          else rowsEls[n.id].tr.removeAttribute("data-grad");
        }
      });
      Object.keys(edgeEls).forEach(function (key) {
        edgeEls[key].path.classList.remove("gw-active");
        edgeEls[key].text.textContent = "";
      });
      info.innerHTML = "";
      if (current === 0) {
        h("p", {}, info, "Forward pass done: every node shows its value. Press step to start backward from " +
          label(byId[data.root]) + ".");
      } else {
        var st2 = steps[current - 1], node = byId[st2.node];
        nodeEls[node.id].g.classList.add("gw-current");
        follow(node);
        if (st2.seed) {
          h("p", {}, info, "Seed: d " + label(node) + " / d " + label(node) + " = 1. Backward starts at the output.");
        } else {
          h("p", {}, info, "Node " + label(node) + (node.name ? " (" + node.op + ")" : "") + ": its gradient " + fmt(st2.grad) +
            " is complete, since every node that used it has passed its share back. It passes to each input " +
            "local derivative \u00D7 incoming gradient:");
          var tb = h("table", {"class": "gw-step-table"}, info);
          var hr = h("tr", {}, tb);
          ["input", "local derivative", "incoming gradient", "product", "input's gradient so far"].forEach(
            function (t) { h("th", {}, hr, t); });
          var seen = {};
          st2.edges.forEach(function (e, k) {
            var tr = h("tr", {"class": "gw-step-row"}, tb);
            h("td", {}, tr, label(byId[e.parent]));
            h("td", {"class": "gw-local"}, tr, fmt(e.local));
            h("td", {"class": "gw-incoming"}, tr, fmt(st2.grad));
            h("td", {"class": "gw-product"}, tr, fmt(e.product));
            h("td", {}, tr, fmt(e.total));
            nodeEls[e.parent].g.classList.add("gw-target");
            var idx = node.parents.indexOf(e.parent, seen[e.parent] || 0);
            seen[e.parent] = idx + 1;
            var ed = edgeEls[e.parent + ">" + node.id + ">" + idx];
            if (ed) {
              ed.path.classList.add("gw-active");
              ed.text.textContent = fmt(e.local) + " \u00D7 " + fmt(st2.grad) + " = " + fmt(e.product);
            }
          });
        }
        if (current === steps.length) {
          h("p", {"class": "gw-finished"}, info, "Done: every leaf holds its gradient, the same numbers backward() gives.");
        }
      }
      bBack.disabled = bFirst.disabled = current === 0;
      bStep.disabled = bLast.disabled = current === steps.length;
      root.setAttribute("data-step", String(current));
      root.setAttribute("data-finished", current === steps.length ? "true" : "false");
      if (options.onStep) options.onStep(current, steps.length, grads);
    }
    function stop() { if (timer) { clearInterval(timer); timer = null; } bPlay.textContent = "play"; }
    function play() {
      if (timer) { stop(); return; }
      if (current === steps.length) render(0);
      bPlay.textContent = "pause";
      timer = setInterval(function () {
        if (current >= steps.length) { stop(); return; }
        render(current + 1);
      }, options.interval || 700);
    }
    bFirst.addEventListener("click", function () { stop(); render(0); });
    bBack.addEventListener("click", function () { stop(); render(current - 1); });
    bStep.addEventListener("click", function () { stop(); render(current + 1); });
    bLast.addEventListener("click", function () { stop(); render(steps.length); });
    bPlay.addEventListener("click", play);
    slider.addEventListener("input", function () { stop(); render(parseInt(slider.value, 10)); });
    render(0);
    return {goto: render, stop: stop, steps: steps.length, destroy: function () { stop(); root.innerHTML = ""; }};
  }
  window.GradworkBackward = {mount: mount, format: fmt};
})();
