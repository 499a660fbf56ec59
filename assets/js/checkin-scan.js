/* foyer check-in: reading and checking ticket codes in the browser, so that
   a door keeps working when the network does not.

   The rules mirror the server's (internal/ticket and internal/checkin):
   a code is "FY1-" and the base32 of a payload (version 1, event id and
   registration id as uvarints, an 8-byte nonce) followed by its Ed25519
   signature; scanned text may carry more than the code; the guest list
   (roster) decides what a genuine code of this event means. */
(function () {
  "use strict";

  var PREFIX = "FY1-";
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  function asciiUpper(s) {
    return s.replace(/[a-z]/g, function (c) { return c.toUpperCase(); });
  }

  function isBase32(c) {
    return (c >= "A" && c <= "Z") || (c >= "2" && c <= "7");
  }

  // candidates returns every code-shaped run after the prefix, in order.
  function candidates(text) {
    var out = [];
    var from = 0;
    for (;;) {
      var i = text.indexOf(PREFIX, from);
      if (i < 0) return out;
      var end = i + PREFIX.length;
      while (end < text.length && isBase32(text[end])) end++;
      if (end > i + PREFIX.length) out.push(text.slice(i, end));
      from = i + 1;
    }
  }

  function base32Decode(s) {
    var bits = 0, value = 0, out = [];
    for (var i = 0; i < s.length; i++) {
      var v = ALPHABET.indexOf(s[i]);
      if (v < 0) return null;
      value = (value << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out.push((value >>> (bits - 8)) & 255);
        bits -= 8;
      }
    }
    // Only the one encoding the server writes: spare bits must be zero.
    if (bits >= 5 || (value & ((1 << bits) - 1)) !== 0) return null;
    return new Uint8Array(out);
  }

  function uvarint(bytes, at) {
    var v = 0, mul = 1;
    for (var i = at; i < bytes.length && i < at + 9; i++) {
      var b = bytes[i];
      v += (b & 127) * mul;
      if (b < 128) return { value: v, next: i + 1 };
      mul *= 128;
    }
    return null;
  }

  function hex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return s;
  }

  // decode splits a code into its claims, the signed payload and the
  // signature, or returns null when it is not a code.
  function decode(code) {
    if (code.indexOf(PREFIX) !== 0) return null;
    var raw = base32Decode(code.slice(PREFIX.length));
    if (!raw || raw.length < 11 + 64) return null;
    var payload = raw.slice(0, raw.length - 64), sig = raw.slice(raw.length - 64);
    if (payload[0] !== 1) return null;
    var ev = uvarint(payload, 1);
    if (!ev || ev.value === 0) return null;
    var reg = uvarint(payload, ev.next);
    if (!reg || reg.value === 0 || payload.length - reg.next !== 8) return null;
    return { event: ev.value, registration: reg.value, nonce: hex(payload.slice(reg.next)), payload: payload, signature: sig };
  }

  // findCode returns the ticket code in scanned text, or "": what
  // checkin.FindCode does on the server.
  function findCode(scanned) {
    if (scanned.length > 4096) return "";
    var found = candidates(asciiUpper(scanned));
    for (var i = 0; i < found.length; i++) if (decode(found[i])) return found[i];
    if (found.length) return found[0];
    // A scanner set to a US layout on a German keyboard: Y and Z swapped,
    // the hyphen typed as ß.
    var swapped = scanned.replace(/[a-zA-Z]/g, function (c) {
      var u = c.toUpperCase();
      return u === "Y" ? "Z" : u === "Z" ? "Y" : u;
    });
    var at = swapped.indexOf("FY1ß");
    if (at < 0) return "";
    found = candidates(PREFIX + swapped.slice(at + 4));
    for (i = 0; i < found.length; i++) if (decode(found[i])) return found[i];
    return found.length ? found[0] : "";
  }

  function fromBase64(s) {
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  // Verifier checks signatures with WebCrypto's Ed25519 (Chromium 137+,
  // Firefox 129+, Safari 17+), else with the vendored @noble/ed25519, else
  // (no WebCrypto at all: a page not served over HTTPS) not at all, and
  // says so: the roster's nonce then has to vouch for the code alone.
  function Verifier(publicKeyBase64, nobleURL) {
    this.pub = fromBase64(publicKeyBase64);
    this.nobleURL = nobleURL;
    this.ready = null;
  }

  Verifier.prototype.init = function () {
    var self = this;
    if (this.ready) return this.ready;
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle) {
      this.ready = Promise.resolve(null);
      return this.ready;
    }
    this.ready = subtle.importKey("raw", this.pub, { name: "Ed25519" }, false, ["verify"]).then(function (key) {
      self.mode = "webcrypto";
      return function (payload, sig) { return subtle.verify({ name: "Ed25519" }, key, sig, payload); };
    }).catch(function () {
      return import(self.nobleURL).then(function (ed) {
        self.mode = "noble";
        return function (payload, sig) { return ed.verifyAsync(sig, payload, self.pub, { zip215: false }); };
      });
    }).catch(function () { return null; });
    return this.ready;
  };

  // verify resolves to true, false, or null (cannot check here).
  Verifier.prototype.verify = function (payload, sig) {
    return this.init().then(function (fn) {
      if (!fn) return null;
      return Promise.resolve(fn(payload, sig)).catch(function () { return false; });
    });
  };

  // decide answers a scan from the roster alone, as the server would:
  // {result, reason, guest, previous}. door is "" or a session id; doors
  // maps session ids to {sign_up}.
  function decide(guest, door, signUp) {
    if (guest.status === "waitlisted") return "waitlisted";
    if (guest.status === "pending") return "pending";
    if (guest.status !== "confirmed") return "cancelled";
    if (door && signUp) {
      var seat = (guest.sessions || []).filter(function (s) { return s.id === door; })[0];
      if (!seat || seat.status !== "confirmed") return "not_signed_up";
    }
    return "ok";
  }

  function admissionAt(guest, door) {
    return (guest.admissions || []).filter(function (a) { return a.door === door; })[0] || null;
  }

  // check answers a scanned text offline. roster: {event: {id, ...},
  // guests: Map id -> guest}.
  function check(text, roster, verifier, door, signUp) {
    var code = findCode(text);
    if (!code) return Promise.resolve({ code: "", result: "invalid", reason: "no_code" });
    var c = decode(code);
    if (!c) return Promise.resolve({ code: code, result: "invalid", reason: "malformed" });
    if (c.event !== roster.event.id) return Promise.resolve({ code: code, result: "wrong_event" });
    return verifier.verify(c.payload, c.signature).then(function (ok) {
      var guest = roster.guests.get(c.registration) || null;
      if (ok === false) return { code: code, result: "invalid", reason: "signature" };
      if (!guest) {
        // Genuine, but newer than this device's list; without a signature
        // check nothing vouches for it.
        if (ok === null) return { code: code, result: "invalid", reason: "unknown" };
        return { code: code, registrationId: c.registration, result: "ok", unknown: true };
      }
      if (guest.ticket && guest.ticket !== c.nonce) return { code: code, result: "invalid", reason: "superseded" };
      return withGuest({ code: code, registrationId: c.registration }, guest, door, signUp);
    });
  }

  // withGuest decides for a known guest (a code or a search result).
  function withGuest(answer, guest, door, signUp) {
    answer.guest = guest;
    answer.result = decide(guest, door, signUp);
    if (answer.result === "ok") {
      var first = admissionAt(guest, door);
      if (first) {
        answer.result = "already_checked_in";
        answer.previous = first;
      }
    }
    return answer;
  }

  window.FoyerScan = {
    findCode: findCode,
    decode: decode,
    Verifier: Verifier,
    check: check,
    withGuest: withGuest,
    admissionAt: admissionAt
  };
})();
