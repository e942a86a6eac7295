/* E-card verification: scan with the device camera where the browser has BarcodeDetector.
   Without it (or without a camera) the button stays hidden: the phone's own camera app opens the
   QR code's link, and hand-held scanners type into the field. */
(function () {
  "use strict";
  var button = document.getElementById("scan-button");
  var box = document.getElementById("scan-box");
  var video = document.getElementById("scan-video");
  var stopButton = document.getElementById("scan-stop");
  var form = document.getElementById("verify-form");
  if (!button || !("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var stream = null;
  var detector = null;
  var timer = null;

  function stop() {
    if (timer) { window.clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    box.hidden = true;
    button.hidden = false;
  }

  function submit(text) {
    var input = form.querySelector("input[name=code]");
    input.value = text;
    stop();
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  function tick() {
    if (!stream) { return; }
    detector.detect(video).then(function (codes) {
      if (codes.length && codes[0].rawValue) { submit(codes[0].rawValue); return; }
      timer = window.setTimeout(tick, 250);
    }).catch(function () { timer = window.setTimeout(tick, 500); });
  }

  BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) { return; }
    detector = new BarcodeDetector({ formats: ["qr_code"] });
    button.hidden = false;
  }).catch(function () { /* no detector: keep the button hidden */ });

  button.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        box.hidden = false;
        button.hidden = true;
        return video.play();
      })
      .then(tick)
      .catch(function () {
        stop();
        window.alert(button.getAttribute("data-denied"));
      });
  });
  stopButton.addEventListener("click", stop);
  document.addEventListener("visibilitychange", function () { if (document.hidden) { stop(); } });
})();
