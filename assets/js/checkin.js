/* foyer check-in page.

   Works online and offline. Online, every scan goes to the server, which
   answers and records it. Offline (or when a request fails), the page
   answers from its own copy of the guest list (the roster, in IndexedDB)
   and the event's public key, and queues the scan with a nonce; the queue
   survives reloads and is sent when the network returns. The roster is
   refreshed with the changes since the last version the device saw.

   Personal data on the device: the roster (names, organisations, status,
   sessions, admissions: no email addresses) and the queue, both in
   IndexedDB; the page itself in the service worker's cache. Signing out
   from this page deletes all of it, unless scans are still waiting. */
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("ci-config").textContent);
  var S = cfg.strings;
  var $ = function (id) { return document.getElementById(id); };

  // t returns a catalogue string with %s/%d/%q filled in order.
  function t(key) {
    var args = Array.prototype.slice.call(arguments, 1);
    var msg = S[key] || key;
    return msg.replace(/%[sdq]/g, function (v) {
      var a = args.length ? args.shift() : "";
      return v === "%q" ? "\u201c" + a + "\u201d" : String(a);
    });
  }

  var timeFormat = new Intl.DateTimeFormat(cfg.lang === "zh" ? "zh-CN" : cfg.lang, {
    hour: "2-digit", minute: "2-digit", timeZone: cfg.timezone
  });
  function clock(iso) {
    try { return timeFormat.format(new Date(iso)); } catch (e) { return iso; }
  }

  function newNonce() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }

  // ---------- this device ----------

  var device = {
    name: localStorage.getItem("foyer.device") || "",
    door: localStorage.getItem("foyer.door." + cfg.event) || ""
  };
  if (!device.name) {
    device.name = t("checkin.device_default", newNonce().slice(0, 4).toUpperCase());
    localStorage.setItem("foyer.device", device.name);
  }

  // ---------- storage: roster and queue in IndexedDB ----------

  var DB = "foyer-checkin";
  function openDB() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) return reject(new Error("no IndexedDB"));
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        var db = req.result;
        db.createObjectStore("meta", { keyPath: "event" });
        db.createObjectStore("guests", { keyPath: ["event", "id"] }).createIndex("event", "event");
        db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true }).createIndex("event", "event");
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  var dbReady = openDB().catch(function () { return null; });

  function tx(stores, mode, fn) {
    return dbReady.then(function (db) {
      if (!db) return null;
      return new Promise(function (resolve, reject) {
        var x = db.transaction(stores, mode);
        var out = fn(x);
        x.oncomplete = function () { resolve(out instanceof IDBRequest ? out.result : out); };
        x.onerror = function () { reject(x.error); };
        x.onabort = function () { reject(x.error); };
      });
    });
  }

  function getAll(store, event) {
    return tx([store], "readonly", function (x) {
      return x.objectStore(store).index("event").getAll(event);
    });
  }

  // ---------- state ----------

  var roster = { event: null, version: 0, guests: new Map() };
  var queue = []; // queued scans, oldest first
  var verifier = null;
  var online = navigator.onLine;
  var lastCard = null; // the answer shown, for undo
  var duplicates = new Map(); // registration id -> text
  var refused = [];

  function saveGuests(guests, meta) {
    return tx(["guests", "meta"], "readwrite", function (x) {
      var gs = x.objectStore("guests");
      guests.forEach(function (g) { gs.put(Object.assign({ event: cfg.event }, g)); });
      if (meta) x.objectStore("meta").put(meta);
    }).catch(function () {});
  }

  function putGuest(g) {
    if (!g || !g.id) return;
    roster.guests.set(g.id, g);
    saveGuests([g]);
  }

  function loadLocal() {
    return Promise.all([
      tx(["meta"], "readonly", function (x) { return x.objectStore("meta").get(cfg.event); }),
      getAll("guests", cfg.event),
      getAll("queue", cfg.event)
    ]).then(function (r) {
      var meta = r[0], guests = r[1] || [], q = r[2] || [];
      if (meta && meta.roster_event) {
        roster.event = meta.roster_event;
        roster.version = meta.version || 0;
      }
      guests.forEach(function (g) { roster.guests.set(g.id, g); });
      queue = q;
    }).catch(function () {});
  }

  // ---------- network ----------

  function api(method, path, body, timeout) {
    var ctl = window.AbortController ? new AbortController() : null;
    var timer = ctl && setTimeout(function () { ctl.abort(); }, timeout || 5000);
    var sep = path.indexOf("?") < 0 ? "?" : "&";
    return fetch(path + sep + "lang=" + cfg.lang, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": cfg.csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: ctl ? ctl.signal : undefined
    }).then(function (res) {
      if (timer) clearTimeout(timer);
      return res.json().catch(function () { return {}; }).then(function (data) {
        setOnline(true);
        if (res.status === 401) signedOut();
        return { status: res.status, data: data };
      });
    }, function (err) {
      if (timer) clearTimeout(timer);
      setOnline(false);
      throw err;
    });
  }

  function setOnline(on) {
    if (online === on) return;
    online = on;
    showNet();
    if (on) { flush(); refreshRoster(); }
  }

  var sessionLost = false;
  function signedOut() {
    sessionLost = true;
    showNet();
  }

  function showNet() {
    var net = $("ci-net");
    net.classList.toggle("ci-offline", !online);
    $("ci-net-text").textContent = sessionLost ? t("checkin.signed_out") : online ? t("checkin.online") : t("checkin.offline");
    $("ci-queue").textContent = queue.length ? " · " + t("checkin.queue", queue.length) : "";
    $("ci-walkin-offline").hidden = online;
  }

  // ---------- roster ----------

  var refreshing = false;
  function refreshRoster() {
    if (refreshing || document.hidden) return Promise.resolve();
    refreshing = true;
    return api("GET", "/api/v1/events/" + encodeURIComponent(cfg.event) + "/checkin/roster?since=" + roster.version)
      .then(function (r) {
        if (r.status !== 200) return;
        var d = r.data;
        if (d.full) roster.guests = new Map();
        roster.event = d.event;
        roster.version = d.version;
        d.guests.forEach(function (g) { roster.guests.set(g.id, g); });
        if (!verifier) verifier = new window.FoyerScan.Verifier(d.event.public_key, cfg.noble);
        var meta = { event: cfg.event, version: d.version, roster_event: d.event, saved_at: new Date().toISOString() };
        var save = d.full
          ? tx(["guests"], "readwrite", function (x) {
            var idx = x.objectStore("guests").index("event").openKeyCursor(IDBKeyRange.only(cfg.event));
            idx.onsuccess = function () {
              var c = idx.result;
              if (c) { x.objectStore("guests").delete(c.primaryKey); c.continue(); }
            };
          }).catch(function () {}) : Promise.resolve();
        return save.then(function () { return saveGuests(d.guests, meta); }).then(showCounts);
      })
      .catch(function () {})
      .then(function () { refreshing = false; });
  }

  function showCounts() {
    var expected = 0, inside = 0, door = device.door, doorIn = 0, seats = 0;
    var session = sessionOf(door);
    roster.guests.forEach(function (g) {
      if (g.status === "confirmed") expected++;
      (g.admissions || []).forEach(function (a) {
        if (a.door === "") inside++;
        if (door && a.door === door) doorIn++;
      });
      if (door && session && session.sign_up) {
        (g.sessions || []).forEach(function (s) { if (s.id === door && s.status === "confirmed" && g.status === "confirmed") seats++; });
      }
    });
    var text = t("checkin.count", inside, expected);
    if (door) text = (session && session.sign_up ? t("checkin.door_count_of", doorIn, seats) : t("checkin.door_count", doorIn)) + " · " + text;
    $("ci-count").textContent = roster.version ? text : "";
  }

  function sessionOf(id) {
    return cfg.sessions.filter(function (s) { return s.id === id; })[0] || null;
  }

  // ---------- the card ----------

  var COLOURS = { ok: "ok", undone: "idle", already_checked_in: "warn" };

  function showCard(a) {
    lastCard = a;
    var card = $("ci-card");
    var colour = COLOURS[a.result] || "bad";
    card.className = "ci-card ci-" + colour + (a.offline ? " ci-card-offline" : "");
    var title = t("checkin.result." + a.result);
    var guest = a.registration || a.guest || null;
    $("ci-card-title").textContent = title;
    $("ci-card-name").textContent = guest ? guest.name : "";
    $("ci-card-org").textContent = guest ? guest.organisation : "";
    var detail = [];
    if (a.result === "already_checked_in" && a.previous) {
      detail.push(t("checkin.first_at", clock(a.previous.at), a.previous.device || "?", a.previous.staff || "?"));
    }
    if (a.reason) detail.push(t("checkin.reason." + a.reason));
    if (a.result === "wrong_event" && a.other_event) {
      detail.push(t("checkin.other_event", a.other_event.title[cfg.lang] || a.other_event.title.en || a.other_event.slug));
    }
    if (a.result === "not_signed_up" && sessionOf(a.session || device.door)) {
      detail.push(sessionOf(a.session || device.door).title);
    }
    if (a.duplicate && a.previous && a.result === "ok") {
      detail.push(t("checkin.also_admitted", clock(a.previous.at), a.previous.device || "?"));
    }
    if (a.unknown) detail.push(t("checkin.unknown_guest"));
    if (a.offline) detail.push(t("checkin.offline_admit"));
    $("ci-card-detail").textContent = detail.join(" ");
    var list = $("ci-card-sessions");
    list.textContent = "";
    if (guest && guest.status && guest.status !== "confirmed") {
      var li = document.createElement("li");
      li.textContent = t("checkin.status_label", t("status." + guest.status));
      list.appendChild(li);
    }
    ((guest && guest.sessions) || []).forEach(function (s) {
      var se = sessionOf(s.id);
      var li = document.createElement("li");
      li.textContent = (se ? se.time + " " + se.title : s.id) + " · " + t("seat." + s.status);
      list.appendChild(li);
    });
    $("ci-undo").hidden = !(a.result === "ok" && guest && guest.id);
    feedback(colour);
  }

  // ---------- sound and vibration: different per colour ----------

  var audio = null;
  function beep(freq, start, length) {
    var o = audio.createOscillator(), g = audio.createGain();
    o.frequency.value = freq;
    o.type = freq < 300 ? "square" : "sine";
    g.gain.setValueAtTime(0.25, audio.currentTime + start);
    g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + start + length);
    o.connect(g).connect(audio.destination);
    o.start(audio.currentTime + start);
    o.stop(audio.currentTime + start + length);
  }
  function feedback(colour) {
    try {
      if (!audio && (window.AudioContext || window.webkitAudioContext)) audio = new (window.AudioContext || window.webkitAudioContext)();
      if (audio && audio.state !== "suspended") {
        if (colour === "ok") beep(1320, 0, 0.15);
        else if (colour === "warn") { beep(660, 0, 0.12); beep(660, 0.18, 0.12); }
        else if (colour === "bad") beep(200, 0, 0.5);
      } else if (audio) audio.resume();
    } catch (e) { /* no sound on this device */ }
    if (navigator.vibrate) {
      navigator.vibrate(colour === "ok" ? 80 : colour === "warn" ? [80, 80, 80] : colour === "bad" ? [300, 100, 300] : 0);
    }
  }

  // ---------- scanning ----------

  function door() { return device.door; }
  function doorSignUp() { var s = sessionOf(device.door); return !!(s && s.sign_up); }

  // enqueue keeps a scan for the server, in IndexedDB first.
  function enqueue(item) {
    item.event = cfg.event;
    queue.push(item);
    showNet();
    return tx(["queue"], "readwrite", function (x) {
      var req = x.objectStore("queue").add(item);
      req.onsuccess = function () { item.seq = req.result; };
    }).catch(function () {});
  }

  // admitLocally records an offline admission in the roster, so a second
  // scan on this device is amber.
  function admitLocally(guest, at) {
    if (!guest) return;
    var g = Object.assign({}, guest);
    g.admissions = (g.admissions || []).filter(function (a) { return a.door !== door(); });
    g.admissions.push({ door: door(), at: at, device: device.name, staff: cfg.staff, offline: true });
    if (door() === "") g.checked_in_at = at;
    putGuest(g);
  }

  function unadmitLocally(guest) {
    if (!guest) return;
    var g = Object.assign({}, guest);
    g.admissions = (g.admissions || []).filter(function (a) { return a.door !== door(); });
    if (door() === "") g.checked_in_at = null;
    putGuest(g);
  }

  // scan handles a scanned text or, with registration set, a guest found by
  // a search.
  function scan(text, registration) {
    var nonce = newNonce();
    var body = { event: cfg.event, session: door(), device: device.name, nonce: nonce };
    if (registration) body.registration = registration; else body.code = text;
    var at = new Date().toISOString();
    var tryServer = online && !sessionLost ? api("POST", "/api/v1/checkin", body) : Promise.reject(new Error("offline"));
    return tryServer.then(function (r) {
      if (r.status !== 200) {
        showProblem(r.data);
        return;
      }
      if (r.data.registration) putGuest(r.data.registration);
      showCard(r.data);
      showCounts();
    }, function () {
      return offlineScan(text, registration, nonce, at);
    });
  }

  function offlineScan(text, registration, nonce, at) {
    var done;
    if (registration) {
      var g = roster.guests.get(registration);
      done = Promise.resolve(g ? window.FoyerScan.withGuest({ registrationId: registration }, g, door(), doorSignUp())
        : { result: "invalid", reason: "unknown" });
    } else if (!roster.event) {
      done = Promise.resolve({ result: "invalid", reason: "no_roster" });
    } else {
      if (!verifier) verifier = new window.FoyerScan.Verifier(roster.event.public_key, cfg.noble);
      done = window.FoyerScan.check(text, roster, verifier, door(), doorSignUp());
    }
    return done.then(function (a) {
      a.offline = true;
      a.session = door();
      if (a.result === "ok") admitLocally(a.guest, at);
      showCard(a);
      showCounts();
      if (a.result === "invalid" && a.reason === "no_code") return; // nothing the server could use
      return enqueue({
        nonce: nonce, kind: registration ? "search" : "scan", code: registration ? "" : (a.code || text.slice(0, 4096)),
        registration: registration || 0, session: door(), scanned_at: at, offline: true, admitted: a.result === "ok"
      });
    });
  }

  function showProblem(data) {
    var e = (data && data.error) || {};
    var msg = e.message || "";
    if (e.fields) msg += " " + Object.keys(e.fields).map(function (k) { return e.fields[k]; }).join(" ");
    showCard({ result: "error_request", reason: "" });
    $("ci-card-title").textContent = t("checkin.request_failed");
    $("ci-card-detail").textContent = msg;
  }

  function undo() {
    var a = lastCard;
    var guest = a && (a.registration || a.guest);
    if (!guest) return;
    var nonce = newNonce();
    var body = { event: cfg.event, registration: guest.id, session: door(), device: device.name, nonce: nonce };
    var at = new Date().toISOString();
    var p = online ? api("POST", "/api/v1/checkin/undo", body) : Promise.reject(new Error("offline"));
    p.then(function (r) {
      if (r.status === 200) {
        if (r.data.registration) putGuest(r.data.registration);
        showCard(r.data);
      } else showProblem(r.data);
      showCounts();
    }, function () {
      unadmitLocally(roster.guests.get(guest.id) || guest);
      enqueue({ nonce: nonce, kind: "undo", registration: guest.id, session: door(), scanned_at: at, offline: true });
      showCard({ result: "undone", guest: guest, offline: false });
      showCounts();
    }).then(focusScan);
  }

  // ---------- sending the queue ----------

  var flushing = false;
  function flush() {
    if (flushing || !queue.length || sessionLost) return Promise.resolve();
    flushing = true;
    var batch = queue.slice(0, 200);
    var body = { device: device.name, sent_at: new Date().toISOString(), scans: batch.map(function (q) {
      return { nonce: q.nonce, kind: q.kind, code: q.code || "", registration: q.registration || 0, session: q.session,
        scanned_at: q.scanned_at, offline: !!q.offline, admitted: !!q.admitted };
    }) };
    return api("POST", "/api/v1/events/" + encodeURIComponent(cfg.event) + "/checkin/sync", body, 15000).then(function (r) {
      if (r.status !== 200) return;
      var done = {};
      r.data.results.forEach(function (res, i) {
        var q = batch[i];
        done[q.nonce] = true;
        if (res.registration) putGuest(res.registration);
        if (res.duplicate && res.registration) noteDuplicate(res.registration, res);
        if (q.admitted && res.result && res.result !== "ok" && res.result !== "already_checked_in") {
          refused.push({ guest: res.registration, result: res.result, at: q.scanned_at });
        }
        if (res.error && q.admitted) refused.push({ guest: roster.guests.get(q.registration) || null, result: "error", message: res.error.message, at: q.scanned_at });
      });
      queue = queue.filter(function (q) { return !done[q.nonce]; });
      return tx(["queue"], "readwrite", function (x) {
        batch.forEach(function (q) { if (done[q.nonce] && q.seq !== undefined) x.objectStore("queue").delete(q.seq); });
      }).catch(function () {});
    }).catch(function () {}).then(function () {
      flushing = false;
      showNet();
      showAlerts();
      showCounts();
      if (queue.length && online) setTimeout(flush, 200);
    });
  }

  function noteDuplicate(guest, res) {
    var other = res.previous ? t("checkin.duplicate_other", clock(res.previous.at), res.previous.device || "?") : "";
    duplicates.set(guest.id, guest.name + (guest.organisation ? " (" + guest.organisation + ")" : "") + (other ? " · " + other : ""));
  }

  function showAlerts() {
    var list = $("ci-duplicate-list");
    list.textContent = "";
    duplicates.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
    $("ci-duplicates").hidden = duplicates.size === 0;
    var rl = $("ci-refused-list");
    rl.textContent = "";
    refused.forEach(function (r) {
      var li = document.createElement("li");
      li.textContent = clock(r.at) + " · " + (r.guest ? r.guest.name + " · " : "") + (r.message || t("checkin.result." + r.result));
      rl.appendChild(li);
    });
    $("ci-refused").hidden = refused.length === 0;
  }

  // The stats name every duplicate of the event, from all devices.
  function refreshDuplicates() {
    if (!online || document.hidden) return;
    api("GET", "/api/v1/events/" + encodeURIComponent(cfg.event) + "/checkin/stats").then(function (r) {
      if (r.status !== 200) return;
      r.data.duplicate_guests.forEach(function (d) {
        var a = d.admissions;
        duplicates.set(d.registration.id, d.registration.name + (d.registration.organisation ? " (" + d.registration.organisation + ")" : "") +
          " · " + a.map(function (x) { return clock(x.at) + " " + x.device; }).join(" / "));
      });
      showAlerts();
    }).catch(function () {});
  }

  // ---------- keyboard-wedge scanners and typing ----------

  var codeInput = $("ci-code");
  function otherFieldFocused() {
    var el = document.activeElement;
    return el && el !== codeInput && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA");
  }
  function focusScan() {
    if (!otherFieldFocused() && $("ci-camera").hidden) codeInput.focus({ preventScroll: true });
  }
  $("ci-scan").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = codeInput.value;
    codeInput.value = "";
    if (text.trim() === "") return focusScan();
    scan(text).then(focusScan, focusScan);
  });
  // A scanner types wherever the focus is: keys typed while nothing else
  // takes them go to the code field.
  document.addEventListener("keydown", function (e) {
    if (otherFieldFocused() || e.ctrlKey || e.metaKey || e.altKey || e.key.length !== 1) return;
    if (document.activeElement !== codeInput) codeInput.focus({ preventScroll: true });
  });
  $("ci-keyboard").addEventListener("click", function () {
    var on = codeInput.getAttribute("inputmode") === "none";
    codeInput.setAttribute("inputmode", on ? "text" : "none");
    this.setAttribute("aria-pressed", on ? "true" : "false");
    codeInput.blur();
    codeInput.focus();
  });
  $("ci-undo").addEventListener("click", undo);

  // ---------- tabs: camera, search, walk-in ----------

  var tabs = ["camera", "search", "walkin"];
  function openTab(name) {
    tabs.forEach(function (n) {
      var on = n === name && $("ci-" + n).hidden;
      $("ci-" + n).hidden = !on;
      $("ci-tab-" + n).setAttribute("aria-selected", on ? "true" : "false");
    });
    if (!$("ci-camera").hidden) startCamera(); else stopCamera();
    if (!$("ci-search").hidden) $("ci-q").focus();
    if (!$("ci-walkin").hidden) $("wi-first_name").focus();
    if ($("ci-search").hidden && $("ci-walkin").hidden) focusScan();
  }
  tabs.forEach(function (n) { $("ci-tab-" + n).addEventListener("click", function () { openTab(n); }); });

  // ---------- camera ----------

  var stream = null, decodeTimer = null, detector = null, lastText = "", lastAt = 0, canvas = null;
  function startCamera() {
    if (stream) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      $("ci-camera-hint").textContent = t("checkin.camera_error", "—");
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment", width: { ideal: 1280 } }, audio: false }).then(function (s) {
      stream = s;
      var v = $("ci-video");
      v.srcObject = s;
      v.play();
      $("ci-camera-hint").textContent = t("checkin.camera_hint");
      return chooseDecoder().then(function () { decodeTimer = setTimeout(decodeFrame, 200); });
    }).catch(function (err) {
      $("ci-camera-hint").textContent = t("checkin.camera_error", err && err.name ? err.name : String(err));
    });
  }
  function stopCamera() {
    clearTimeout(decodeTimer);
    if (stream) stream.getTracks().forEach(function (tr) { tr.stop(); });
    stream = null;
  }
  // The browser's own BarcodeDetector where it reads QR codes (Android,
  // macOS, ChromeOS), else jsQR, loaded only then.
  function chooseDecoder() {
    document.documentElement.dataset.qrDecoder = "jsQR";
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (f) {
        if (f.indexOf("qr_code") >= 0) {
          detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          document.documentElement.dataset.qrDecoder = "BarcodeDetector";
        }
        else return loadJSQR();
      }).catch(loadJSQR);
    }
    return loadJSQR();
  }
  function loadJSQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = cfg.jsqr;
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  function decodeFrame() {
    var v = $("ci-video");
    if (!stream) return;
    var next = function () { decodeTimer = setTimeout(decodeFrame, 120); };
    if (v.readyState < 2 || !v.videoWidth) return next();
    var found = function (text) {
      var now = Date.now();
      // The same ticket held in front of the camera scans once.
      if (text && (text !== lastText || now - lastAt > 4000)) {
        lastText = text;
        lastAt = now;
        scan(text);
      }
    };
    if (detector) {
      detector.detect(v).then(function (codes) { if (codes.length) found(codes[0].rawValue); }).catch(function () {}).then(next);
      return;
    }
    var scale = Math.min(1, 800 / v.videoWidth);
    var w = Math.round(v.videoWidth * scale), h = Math.round(v.videoHeight * scale);
    canvas = canvas || document.createElement("canvas");
    canvas.width = w;
    canvas.height = h;
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(v, 0, 0, w, h);
    var img = ctx.getImageData(0, 0, w, h);
    var qr = window.jsQR(img.data, w, h, { inversionAttempts: "dontInvert" });
    if (qr && qr.data) found(qr.data);
    next();
  }

  // ---------- search ----------

  function norm(s) {
    return (s || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var searchTimer = null;
  $("ci-q").addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 120);
  });
  function runSearch() {
    var q = $("ci-q").value.trim();
    var hint = $("ci-search-hint");
    hint.textContent = "";
    if (!q) return showResults([]);
    if (q.indexOf("@") >= 0) {
      if (!online) { hint.textContent = t("checkin.search_offline_email"); return showResults([]); }
      api("GET", "/api/v1/events/" + encodeURIComponent(cfg.event) + "/checkin/search?q=" + encodeURIComponent(q)).then(function (r) {
        showResults(r.status === 200 ? r.data.guests : []);
      }).catch(function () { showResults([]); });
      return;
    }
    var words = norm(q).split(/\s+/), out = [];
    roster.guests.forEach(function (g) {
      if (out.length >= 30) return;
      var hay = norm(g.name + " " + g.first_name + " " + g.last_name + " " + g.organisation);
      if (words.every(function (w) { return hay.indexOf(w) >= 0; })) out.push(g);
    });
    showResults(out);
  }
  function showResults(guests) {
    var ul = $("ci-results");
    ul.textContent = "";
    if (!guests.length && $("ci-q").value.trim()) $("ci-search-hint").textContent = $("ci-search-hint").textContent || t("checkin.search_none");
    guests.forEach(function (g) {
      var li = document.createElement("li");
      var who = document.createElement("span");
      who.className = "ci-who";
      var name = document.createElement("strong");
      name.textContent = g.name;
      var org = document.createElement("span");
      var first = window.FoyerScan.admissionAt(g, door());
      org.textContent = [g.organisation, g.status !== "confirmed" ? t("status." + g.status) : "",
        first ? t("checkin.in_since", clock(first.at)) : ""].filter(Boolean).join(" · ");
      who.appendChild(name);
      who.appendChild(org);
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button button-primary";
      b.textContent = t("checkin.scan_button");
      b.addEventListener("click", function () {
        scan("", g.id).then(function () { $("ci-q").value = ""; showResults([]); window.scrollTo({ top: 0, behavior: "smooth" }); });
      });
      li.appendChild(who);
      li.appendChild(b);
      ul.appendChild(li);
    });
  }

  // ---------- walk-ins ----------

  var walkinForm = $("ci-walkin-form");
  walkinForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var f = walkinForm.elements;
    var body = {
      first_name: f.first_name.value, last_name: f.last_name.value, organisation: f.organisation.value,
      email: f.email.value.trim(), language: f.language.value, consent: f.consent.checked,
      over_capacity_reason: f.over_capacity_reason.value, device: device.name, nonce: walkinForm.dataset.nonce || newNonce()
    };
    walkinForm.dataset.nonce = body.nonce; // a resend after a lost answer registers once
    walkinForm.querySelectorAll(".field-error").forEach(function (p) { p.hidden = true; p.parentNode.classList.remove("field-invalid"); });
    $("ci-walkin-error").hidden = true;
    if (!online) { $("ci-walkin-offline").hidden = false; return; }
    api("POST", "/api/v1/events/" + encodeURIComponent(cfg.event) + "/checkin/walk-ins", body).then(function (r) {
      if (r.status === 200 || r.status === 201) {
        delete walkinForm.dataset.nonce;
        walkinForm.reset();
        $("wi-reason-field").hidden = true;
        if (r.data.registration) putGuest(r.data.registration);
        showCard(r.data);
        showCounts();
        openTab("walkin");
        window.scrollTo({ top: 0, behavior: "smooth" });
        return;
      }
      delete walkinForm.dataset.nonce;
      var err = (r.data && r.data.error) || {};
      if (err.code === "walk_in_full") $("wi-reason-field").hidden = false;
      $("ci-walkin-error").textContent = err.message || t("checkin.request_failed");
      $("ci-walkin-error").hidden = false;
      Object.keys(err.fields || {}).forEach(function (name) {
        var input = f[name];
        var p = input && input.closest(".field") && input.closest(".field").querySelector(".field-error");
        if (p) { p.textContent = err.fields[name]; p.hidden = false; p.parentNode.classList.add("field-invalid"); }
      });
    }).catch(function () {
      $("ci-walkin-offline").hidden = false;
    });
  });

  // ---------- door and device ----------

  var doorSelect = $("ci-door");
  if (sessionOf(device.door)) doorSelect.value = device.door; else device.door = "";
  doorSelect.addEventListener("change", function () {
    device.door = doorSelect.value;
    localStorage.setItem("foyer.door." + cfg.event, device.door);
    showCounts();
    focusScan();
  });
  var deviceInput = $("ci-device");
  deviceInput.value = device.name;
  deviceInput.addEventListener("change", function () {
    var v = deviceInput.value.trim().slice(0, 64);
    if (v) { device.name = v; localStorage.setItem("foyer.device", v); }
    deviceInput.value = device.name;
  });

  // ---------- signing out: no guest data left behind ----------

  document.querySelectorAll('form[action="/logout"]').forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (form.dataset.cleared) return;
      e.preventDefault();
      if (queue.length && !window.confirm(t("checkin.logout_pending", queue.length))) return;
      var wipe = [];
      if (window.indexedDB) {
        wipe.push(dbReady.then(function (db) { if (db) db.close(); }).then(function () {
          return new Promise(function (resolve) {
            var req = indexedDB.deleteDatabase(DB);
            req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
          });
        }));
      }
      if (window.caches) wipe.push(caches.keys().then(function (keys) { return Promise.all(keys.map(function (k) { return caches.delete(k); })); }));
      if (navigator.serviceWorker) {
        wipe.push(navigator.serviceWorker.getRegistrations().then(function (rs) { return Promise.all(rs.map(function (r) { return r.unregister(); })); }));
      }
      Promise.all(wipe).catch(function () {}).then(function () {
        form.dataset.cleared = "1";
        form.submit();
      });
    });
  });

  // ---------- start ----------

  // The service worker keeps this page for a reload without network; it
  // says when it has it (offlineReady), which the page shows nowhere but
  // tests wait for.
  if (navigator.serviceWorker && window.isSecureContext) {
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.cached === location.pathname) document.documentElement.dataset.offlineReady = "1";
    });
    navigator.serviceWorker.register(cfg.worker, { scope: "/checkin/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      if (reg.active) reg.active.postMessage({ cachePage: location.pathname });
    }).catch(function () {});
  }
  window.addEventListener("online", function () { setOnline(true); });
  window.addEventListener("offline", function () { setOnline(false); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { refreshRoster(); flush(); } });

  loadLocal().then(function () {
    if (roster.event) verifier = new window.FoyerScan.Verifier(roster.event.public_key, cfg.noble);
    showNet();
    showCounts();
    document.documentElement.dataset.checkinReady = "1";
    return refreshRoster();
  }).then(function () {
    flush();
  });
  setInterval(function () { refreshRoster(); }, 5000);
  setInterval(function () { flush(); }, 3000);
  setInterval(refreshDuplicates, 15000);
  setTimeout(refreshDuplicates, 1500);
  // While offline, try the server now and then: navigator.onLine does not
  // see a venue network that is up but cut off.
  setInterval(function () {
    if (!online) api("GET", "/healthz", undefined, 3000).catch(function () {});
  }, 5000);
  showNet();
  focusScan();
})();
