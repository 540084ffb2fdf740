/* The gradwork playground page: plain DOM, canvas and SVG, talking to the server over one websocket.
 * The server holds the model and does all the training; this file only draws what it sends and sends
 * the learner's choices back (each one a named setting or action, checked there). */
(function () {
  "use strict";
  var POS = [37, 99, 235], NEG = [234, 88, 12];  // draw_network's colours: blue positive, orange negative
  var $ = function (id) { return document.getElementById(id); };
  var ws = null, spec = null, last = null, points = null, trace = null, selected = null, applied = null;
  var playing = false, messageTimer = null;
  var pg = window.playground = {errors: [], last: null, trace: null, send: send, scripts: []};

  function send(msg) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(msg)); }

  function showMessage(text) {
    var m = $("message");
    m.textContent = text;
    m.hidden = false;
    clearTimeout(messageTimer);
    messageTimer = setTimeout(function () { m.hidden = true; }, 10000);
  }

  function connect() {
    ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
    ws.onopen = function () {
      $("connection").textContent = "connected";
      document.body.setAttribute("data-connected", "true");
      send({type: "hello"});
    };
    ws.onclose = function () {
      $("connection").textContent = "disconnected: reload the page for a new session";
      document.body.setAttribute("data-connected", "false");
    };
    ws.onmessage = function (ev) {
      var msg = JSON.parse(ev.data);
      var handler = handlers[msg.type];
      if (handler) handler(msg);
    };
    setInterval(function () { send({type: "ping"}); }, 15000);
  }

  var handlers = {
    spec: function (msg) { spec = msg.spec; buildFeatures(); },
    state: function (msg) {
      last = pg.last = msg;
      if (msg.points) points = msg.points;
      if (msg.points) { clearTrace(); }
      playing = !!msg.playing;
      $("play").textContent = playing ? "pause" : "play";
      showSettings(msg.settings);
      $("epoch-count").textContent = msg.epoch;
      $("step-count").textContent = msg.step;
      $("batch-count").textContent = msg.batch;
      $("train-loss").textContent = fmt(msg.train_loss);
      $("test-loss").textContent = fmt(msg.test_loss);
      $("train-acc").textContent = pct(msg.train_acc);
      $("test-acc").textContent = pct(msg.test_acc);
      drawBoundary();
      drawNetwork();
      drawCurves();
      drawGrads();
      document.body.setAttribute("data-step", String(msg.step));
      send({type: "ack"});
    },
    error: function (msg) { pg.errors.push(msg.message); showMessage(msg.message); },
    trace: function (msg) { showTrace(msg); },
    applied: function (msg) { showApplied(msg); },
    script: function (msg) { pg.scripts.push(msg.text); download(new Blob([msg.text], {type: "text/x-python"}), msg.filename); },
    checkpoint: function (msg) {
      var raw = atob(msg.base64), bytes = new Uint8Array(raw.length);
      for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      download(new Blob([bytes], {type: "application/octet-stream"}), msg.filename);
    }
  };

  function download(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  function fmt(x) { return x === null || x === undefined ? "-" : Number(x).toPrecision(4); }
  function pct(x) { return x === null || x === undefined ? "-" : (100 * x).toFixed(1) + "%"; }

  // ------------------------------------------------------------------ settings
  function buildFeatures() {
    var box = $("features");
    box.innerHTML = "";
    var labels = spec.features_labels;
    Object.keys(labels).forEach(function (name) {
      var lab = document.createElement("label");
      var cb = document.createElement("input");
      cb.type = "checkbox";
      cb.value = name;
      cb.id = "feature-" + name;
      cb.addEventListener("change", function () {
        var chosen = Array.prototype.filter.call(box.querySelectorAll("input"), function (c) { return c.checked; })
          .map(function (c) { return c.value; });
        send({type: "set", settings: {features: chosen}});
      });
      lab.appendChild(cb);
      lab.appendChild(document.createTextNode(" " + labels[name]));
      box.appendChild(lab);
    });
  }

  function showSettings(s) {
    document.querySelectorAll("[data-setting]").forEach(function (e) {
      if (playing && e === document.activeElement && e.type === "number") return;  // leave what is being typed
      e.value = String(s[e.getAttribute("data-setting")]);
    });
    document.querySelectorAll("output[data-for]").forEach(function (o) { o.textContent = s[o.getAttribute("data-for")]; });
    document.querySelectorAll("#features input").forEach(function (c) { c.checked = s.features.indexOf(c.value) >= 0; });
    ["momentum", "nesterov", "adam", "rmsprop"].forEach(function (o) {
      document.querySelectorAll(".opt-" + o).forEach(function (e) {
        var show = s.optimizer === o || (o === "momentum" && s.optimizer === "nesterov") ||
          (o === "nesterov" && s.optimizer === "momentum");
        e.classList.toggle("hidden-opt", !show);
      });
    });
    $("batch_size").disabled = s.descent !== "minibatch";
    $("reg_rate").disabled = s.regularization === "none";
    $("layer-count").textContent = s.hidden.length;
  }

  function setHidden(k, w) {
    var h = last.settings.hidden.slice();
    h[k] = w;
    send({type: "set", settings: {hidden: h}});
  }

  document.querySelectorAll("[data-setting]").forEach(function (e) {
    e.addEventListener("change", function () {
      var name = e.getAttribute("data-setting"), value = e.value;
      if (e.hasAttribute("data-number")) {
        var n = Number(value);
        if (value.trim() !== "" && isFinite(n)) value = n;
      }
      var change = {};
      change[name] = value;
      send({type: "set", settings: change});
    });
    if (e.type === "range") e.addEventListener("input", function () {
      var o = document.querySelector("output[data-for=" + e.id + "]");
      if (o) o.textContent = e.value;
    });
  });
  $("add-layer").addEventListener("click", function () {
    send({type: "set", settings: {hidden: last.settings.hidden.concat([2])}});
  });
  $("remove-layer").addEventListener("click", function () {
    if (last.settings.hidden.length) send({type: "set", settings: {hidden: last.settings.hidden.slice(0, -1)}});
  });
  $("play").addEventListener("click", function () {
    playing = !playing;
    $("play").textContent = playing ? "pause" : "play";
    send({type: playing ? "play" : "pause"});
  });
  $("step").addEventListener("click", function () { send({type: "step"}); });
  $("epoch").addEventListener("click", function () { send({type: "epoch"}); });
  $("reset").addEventListener("click", function () { send({type: "reset"}); });
  $("export-script").addEventListener("click", function () { send({type: "export_script"}); });
  $("export-checkpoint").addEventListener("click", function () { send({type: "export_checkpoint"}); });

  // ------------------------------------------------------------------ pictures
  function colour(v, alpha) {
    var c = v >= 0 ? POS : NEG, a = Math.min(1, Math.abs(v)) * alpha;
    return [Math.round(255 + (c[0] - 255) * a), Math.round(255 + (c[1] - 255) * a), Math.round(255 + (c[2] - 255) * a)];
  }
  function imageOf(grid, alpha) {
    var n = grid.length, c = document.createElement("canvas");
    c.width = n; c.height = n;
    var ctx = c.getContext("2d"), img = ctx.createImageData(n, n);
    for (var r = 0; r < n; r++) for (var q = 0; q < n; q++) {
      var rgb = colour(grid[r][q], alpha), o = 4 * (r * n + q);
      img.data[o] = rgb[0]; img.data[o + 1] = rgb[1]; img.data[o + 2] = rgb[2]; img.data[o + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return c;
  }

  function drawBoundary() {
    var cv = $("boundary"), ctx = cv.getContext("2d"), W = cv.width, H = cv.height, half = last.half;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(imageOf(last.boundary, 0.75), 0, 0, W, H);
    ctx.strokeStyle = "rgba(0,0,0,.15)";
    ctx.beginPath(); ctx.moveTo(W / 2, 0); ctx.lineTo(W / 2, H); ctx.moveTo(0, H / 2); ctx.lineTo(W, H / 2); ctx.stroke();
    if (!points) return;
    function dot(p, y, train, mark) {
      var x = (p[0] + half) / (2 * half) * W, yy = (half - p[1]) / (2 * half) * H;
      var c = y === 1 ? POS : NEG;
      ctx.beginPath();
      ctx.arc(x, yy, mark ? 6 : 3.2, 0, 2 * Math.PI);
      if (train) {
        ctx.fillStyle = "rgb(" + c.join(",") + ")"; ctx.fill();
        ctx.lineWidth = mark ? 3 : 1; ctx.strokeStyle = mark ? "#dc2626" : "#fff"; ctx.stroke();
      } else {
        ctx.fillStyle = "#fff"; ctx.fill(); ctx.lineWidth = 2; ctx.strokeStyle = "rgb(" + c.join(",") + ")"; ctx.stroke();
      }
    }
    points.test.forEach(function (p, i) { dot(p, points.test_y[i], false, false); });
    points.train.forEach(function (p, i) { dot(p, points.train_y[i], true, false); });
    if (trace) dot(points.train[trace.example], points.train_y[trace.example], true, true);
  }

  $("boundary").addEventListener("click", function (ev) {
    if (!points || !last) return;
    var cv = $("boundary"), rect = cv.getBoundingClientRect(), half = last.half;
    var x = (ev.clientX - rect.left) / rect.width * 2 * half - half, y = half - (ev.clientY - rect.top) / rect.height * 2 * half;
    var best = 0, bd = Infinity;
    points.train.forEach(function (p, i) {
      var d = (p[0] - x) * (p[0] - x) + (p[1] - y) * (p[1] - y);
      if (d < bd) { bd = d; best = i; }
    });
    $("example").value = String(best);
    send({type: "trace", example: best});
  });

  var SVGNS = "http://www.w3.org/2000/svg";
  function svg(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  var ROW = 54, TOP = 44;
  function layout() {
    var layers = last.neurons, L = layers.length, S = 30, tallest = 1;
    layers.forEach(function (u) { tallest = Math.max(tallest, u.length); });
    var colW = L > 1 ? Math.min(120, (620 - 130) / (L - 1)) : 0, mid = TOP + (tallest * ROW) / 2;
    var pos = layers.map(function (units, k) {
      var x = 70 + k * colW, top = mid - (units.length * ROW) / 2 + (ROW - S) / 2;
      return units.map(function (_, j) { return [x, top + j * ROW]; });
    });
    return {pos: pos, S: S, height: TOP + tallest * ROW + 10};
  }

  function layerButtons(net, pos, S) {
    last.settings.hidden.forEach(function (w, k) {
      var x = pos[k + 1][0][0] + S / 2;
      [["+", "add-neuron", w + 1, -13], ["\u2212", "remove-neuron", w - 1, 13]].forEach(function (b) {
        var g = svg("g", {"class": "layer-button " + b[1], "data-layer": String(k + 1),
          "transform": "translate(" + (x + b[3]) + ",12)"}, net);
        svg("rect", {"x": -10, "y": -9, "width": 20, "height": 18, "rx": 3}, g);
        var t = svg("text", {"x": 0, "y": 4, "text-anchor": "middle"}, g);
        t.textContent = b[0];
        svg("title", {}, g).textContent = (b[0] === "+" ? "one more neuron in" : "one neuron fewer in") + " hidden layer " + (k + 1);
        g.addEventListener("click", function () { if (b[2] >= 1) setHidden(k, b[2]); });
      });
      var t2 = svg("text", {"x": x, "y": 34, "text-anchor": "middle", "class": "layer-size"}, net);
      t2.textContent = w + (w === 1 ? " neuron" : " neurons");
    });
  }

  function paramName(k, j, i) { return last.weights[k].module + ".weight[" + j + "," + i + "]"; }

  function drawNetwork() {
    var net = $("network");
    net.innerHTML = "";
    var lay = layout(), pos = lay.pos, S = lay.S, grads = trace && trace.finished ? trace.grads : null;
    net.setAttribute("height", String(lay.height));
    layerButtons(net, pos, S);
    var changed = applied ? applied.changed : {};
    var edges = svg("g", {}, net), nodes = svg("g", {}, net);
    last.weights.forEach(function (layer, k) {
      layer.w.forEach(function (row, j) {
        row.forEach(function (w, i) {
          var a = pos[k][i], b = pos[k + 1][j];
          var x1 = a[0] + S, y1 = a[1] + S / 2, x2 = b[0], y2 = b[1] + S / 2, mx = (x1 + x2) / 2;
          var c = w >= 0 ? POS : NEG, name = paramName(k, j, i);
          var path = svg("path", {"d": "M" + x1 + " " + y1 + " C" + mx + " " + y1 + " " + mx + " " + y2 + " " + x2 + " " + y2,
            "fill": "none", "stroke": "rgb(" + c.join(",") + ")", "stroke-opacity": String(0.35 + 0.65 * Math.min(1, Math.abs(w))),
            "stroke-width": String(Math.min(8, 0.4 + 2.2 * Math.abs(w))), "class": "edge" + (changed[name] ? " updated" : ""),
            "data-name": name, "data-w": String(w)}, edges);
          var tip = (k === 0 ? last.features[i] : "h" + k + "." + i) + " \u2192 " + (k + 1 === last.weights.length ? "output" : "h" + (k + 1) + "." + j) +
            ": w = " + w;
          if (grads && Object.prototype.hasOwnProperty.call(grads, name)) tip += ", gradient " + grads[name];
          if (changed[name]) tip += " (was " + changed[name] + ")";
          svg("title", {}, path).textContent = tip;
        });
      });
    });
    last.neurons.forEach(function (units, k) {
      units.forEach(function (grid, j) {
        var p = pos[k][j], isInput = k === 0, isOut = k === last.neurons.length - 1;
        var name = isInput ? last.features[j] : (isOut ? "output" : "h" + k + "." + j);
        var g = svg("g", {"class": "neuron" + (isInput ? " input" : "") +
          (selected && selected[0] === k && selected[1] === j ? " selected" : ""), "data-layer": String(k), "data-neuron": String(j),
          "transform": "translate(" + p[0] + "," + p[1] + ")", "id": isInput ? "input-" + j : "neuron-" + k + "-" + j}, nodes);
        svg("image", {"href": imageOf(grid, 0.85).toDataURL(), "width": S, "height": S, "preserveAspectRatio": "none",
          "style": "image-rendering: pixelated"}, g);
        svg("rect", {"width": S, "height": S}, g);
        if (isInput) {
          var t = svg("text", {"x": -4, "y": S / 2 + 3, "text-anchor": "end"}, g); t.textContent = name;
        } else {
          var t2 = svg("text", {"x": S / 2, "y": -3, "text-anchor": "middle"}, g); t2.textContent = name;
          var b = last.weights[k - 1].b[j];
          var t3 = svg("text", {"x": S / 2, "y": S + 10, "text-anchor": "middle"}, g); t3.textContent = "b " + Number(b).toPrecision(2);
          svg("title", {}, g).textContent = name + ", bias " + b + ": click to see its computation graph";
          g.addEventListener("click", function () {
            selected = [k, j];
            send({type: "trace", example: exampleIndex(), layer: k, neuron: j});
          });
        }
      });
    });
  }

  function exampleIndex() {
    var v = Number($("example").value);
    return isFinite(v) && Math.floor(v) === v ? v : $("example").value;
  }

  function drawCurves() {
    var cv = $("curves"), ctx = cv.getContext("2d"), W = cv.width, H = cv.height, hist = last.history;
    ctx.clearRect(0, 0, W, H);
    var maxY = 0, maxX = Math.max(1, hist[hist.length - 1][0]);
    hist.forEach(function (h) { [h[2], h[3]].forEach(function (v) { if (v !== null && isFinite(v)) maxY = Math.max(maxY, v); }); });
    maxY = maxY || 1;
    ctx.fillStyle = "#6b7280"; ctx.font = "10px sans-serif";
    ctx.fillText(maxY.toPrecision(3), 2, 10); ctx.fillText("0", 2, H - 2); ctx.fillText("step " + maxX, W - 60, H - 2);
    [[2, "#111827", []], [3, "#9ca3af", [4, 3]]].forEach(function (spec2) {
      ctx.beginPath(); ctx.setLineDash(spec2[2]); ctx.strokeStyle = spec2[1]; ctx.lineWidth = 1.6;
      var started = false;
      hist.forEach(function (h) {
        var v = h[spec2[0]]; if (v === null) return;
        var x = 28 + (W - 32) * h[0] / maxX, y = H - 12 - (H - 20) * Math.min(v, maxY) / maxY;
        if (!started) { ctx.moveTo(x, y); started = true; } else ctx.lineTo(x, y);
      });
      ctx.stroke();
    });
    ctx.setLineDash([]);
  }

  function drawGrads() {
    var t = $("grads");
    t.innerHTML = "";
    if (!last.grads.length) { t.innerHTML = "<tr><td class='hint'>after the first update</td></tr>"; return; }
    last.grads.forEach(function (g) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-layer", String(g.layer));
      var name = g.layer === last.grads.length ? "output layer" : "layer " + g.layer;
      tr.innerHTML = "<td>" + name + "</td><td>mean |grad| " + (g.size === null ? "not finite" : Number(g.size).toExponential(2)) +
        "</td><td>" + (g.flag ? "<span class='flag " + g.flag + "'>" + g.flag + "</span>" : "") + "</td>";
      t.appendChild(tr);
    });
  }

  // ------------------------------------------------------------------ back-propagation
  function clearTrace() {
    trace = pg.trace = null; selected = null; applied = null;
    $("backward").innerHTML = "";
    $("update").innerHTML = "";
    $("apply").disabled = true;
  }

  function showTrace(data) {
    applied = null;
    $("update").innerHTML = "";
    trace = pg.trace = {example: data.example, data: data, finished: false, grads: {}};
    $("example").value = String(data.example);
    selected = data.layer === null ? null : [data.layer, data.neuron];
    var what = data.layer === null ? "the loss of training example " + data.example :
      (data.layer === last.neurons.length - 1 ? "the output" : "neuron h" + data.layer + "." + data.neuron) +
      " for training example " + data.example;
    $("trace-what").textContent = "showing " + what + " (class " + data.label + ", at " + data.point.join(", ") + ")";
    GradworkBackward.mount($("backward"), data, {
      title: "Computation graph of " + what + ": real gradwork Values, forward values filled in",
      onStep: function (current, total, grads) {
        var finished = current === total;
        var was = trace.finished;
        trace.finished = finished;
        trace.grads = {};
        data.nodes.forEach(function (n) {
          if (n.name && Object.prototype.hasOwnProperty.call(grads, n.id)) trace.grads[n.name] = grads[n.id];
        });
        $("apply").disabled = !(finished && data.layer === null);
        if (finished !== was) drawNetwork();
      }
    });
    drawBoundary();
    drawNetwork();
  }

  $("trace-loss").addEventListener("click", function () { selected = null; send({type: "trace", example: exampleIndex()}); });
  $("apply").addEventListener("click", function () { if (trace) send({type: "apply", example: trace.example}); });

  function showApplied(msg) {
    var t = $("update"), changed = {};
    t.innerHTML = "<tr><th>weight</th><th>before</th><th>after</th><th>change</th></tr>";
    msg.before.forEach(function (layer, k) {
      var after = msg.after[k];
      layer.w.forEach(function (row, j) {
        row.forEach(function (w, i) {
          var w2 = after.w[j][i];
          if (w2 === w) return;
          var name = layer.module + ".weight[" + j + "," + i + "]";
          changed[name] = w;
          var tr = document.createElement("tr");
          tr.innerHTML = "<td>" + name + "</td><td>" + w + "</td><td>" + w2 + "</td><td>" + (w2 - w).toPrecision(3) + "</td>";
          t.appendChild(tr);
        });
      });
      layer.b.forEach(function (b, j) {
        var b2 = after.b[j];
        if (b2 === b) return;
        var tr = document.createElement("tr");
        tr.innerHTML = "<td>" + layer.module + ".bias[" + j + "]</td><td>" + b + "</td><td>" + b2 + "</td><td>" +
          (b2 - b).toPrecision(3) + "</td>";
        t.appendChild(tr);
      });
    });
    applied = {changed: changed};
    if (last) drawNetwork();  // mark the changed edges now, whichever of this and the new state came first
    var cap = document.createElement("caption");
    cap.textContent = "One " + last.settings.optimizer + " update from example " + msg.example +
      " (dashed edges on the network changed):";
    t.prepend(cap);
  }

  connect();
})();
