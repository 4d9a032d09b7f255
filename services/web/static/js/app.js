// Deepcatcher's progressive enhancements. Every flow also works as plain forms without this file.
(function () {
  "use strict";

  var MAX_PARALLEL_UPLOADS = 3;

  function csrfToken() {
    var field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  // ----- Checking images: drag and drop, paste, picker; one card per file as each finishes -----

  function setUpChecker(form) {
    var input = form.querySelector('input[type="file"]');
    var results = document.getElementById("check-results");
    var queue = [];
    var active = 0;

    function element(tag, className, text) {
      var node = document.createElement(tag);
      if (className) node.className = className;
      if (text) node.textContent = text;
      return node;
    }

    function placeholder(file) {
      var card = element("article", "result-card result-pending");
      card.setAttribute("hx-encoding", "multipart/form-data");
      card.setAttribute("aria-busy", "true");
      var thumb = element("div", "result-thumb");
      if (file.type && file.type.indexOf("image/") === 0) {
        var preview = element("img");
        preview.alt = "";
        preview.src = URL.createObjectURL(file);
        thumb.appendChild(preview);
      }
      var head = element("div", "result-head");
      head.appendChild(element("p", "result-file", file.name || "Pasted image"));
      var body = element("div", "result-main");
      var status = element("p", "pending-status", "Waiting…");
      var progress = element("progress", "upload-progress");
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute("aria-label", "Upload progress of " + (file.name || "the pasted image"));
      body.appendChild(status);
      body.appendChild(progress);
      card.appendChild(thumb);
      card.appendChild(head);
      card.appendChild(body);
      card.addEventListener("htmx:xhr:progress", function (event) {
        if (!event.detail.lengthComputable || card.dataset.uploaded) return;
        var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
        progress.value = percent;
        status.textContent = "Uploading… " + percent + "%";
        if (percent >= 100) {
          card.dataset.uploaded = "true";
          progress.removeAttribute("value");
          status.textContent = "Analysing…";
        }
      });
      card.addEventListener("htmx:afterRequest", function (event) {
        if (!event.detail.successful && card.isConnected) {
          fail(card, "This file could not be checked. Please try again.");
        }
      });
      return card;
    }

    function fail(card, message) {
      card.className = "result-card result-failed";
      card.removeAttribute("aria-busy");
      var status = card.querySelector(".pending-status");
      var progress = card.querySelector("progress");
      if (progress) progress.remove();
      if (status) {
        status.textContent = message;
        status.className = "result-explanation";
      }
    }

    function upload(job) {
      job.card.querySelector(".pending-status").textContent = "Uploading…";
      return htmx
        .ajax("POST", form.action, {
          source: job.card,
          target: job.card,
          swap: "outerHTML",
          values: { files: job.file, csrf_token: csrfToken() },
        })
        .catch(function () {
          fail(job.card, "The upload failed. Check your connection and try again.");
        });
    }

    function pump() {
      while (active < MAX_PARALLEL_UPLOADS && queue.length) {
        var job = queue.shift();
        active += 1;
        upload(job).then(function () {
          active -= 1;
          pump();
        });
      }
    }

    function enqueue(fileList) {
      var files = Array.prototype.slice.call(fileList || []);
      if (!files.length) return;
      var anchor = results.firstChild;
      files.forEach(function (file) {
        var card = placeholder(file);
        results.insertBefore(card, anchor);
        queue.push({ file: file, card: card });
      });
      var intro = document.querySelector(".how-it-works");
      if (intro) intro.remove();
      pump();
    }

    input.addEventListener("change", function () {
      enqueue(input.files);
      input.value = "";
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      enqueue(input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (type) {
      form.addEventListener(type, function (event) {
        event.preventDefault();
        form.classList.add("is-dragging");
      });
    });
    ["dragleave", "dragend", "drop"].forEach(function (type) {
      form.addEventListener(type, function (event) {
        event.preventDefault();
        form.classList.remove("is-dragging");
      });
    });
    form.addEventListener("drop", function (event) {
      enqueue(event.dataTransfer && event.dataTransfer.files);
    });
    document.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) {
        event.preventDefault();
        enqueue(files);
      }
    });
  }

  // ----- Bulk uploads: how much of a large upload has been sent (the form shows it while busy) -----

  function setUpUploadProgress(form) {
    var progress = form.querySelector(".upload-status progress");
    var status = form.querySelector("[data-upload-status]");
    form.addEventListener("htmx:beforeRequest", function () {
      progress.value = 0;
      status.textContent = "Uploading…";
    });
    form.addEventListener("htmx:xhr:progress", function (event) {
      if (!event.detail.lengthComputable) return;
      var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
      progress.value = percent;
      status.textContent = percent < 100 ? "Uploading… " + percent + "%" : "Starting the job…";
    });
  }

  // ----- Small helpers: copy buttons, cancel buttons in confirmations, dismissing flashes -----

  function copyText(button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var text = "value" in source ? source.value : source.textContent;
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () {
        button.textContent = label;
      }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else if (source.select) {
      source.select();
      document.execCommand("copy");
      done();
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var copy = target.closest("[data-copy]");
    if (copy) copyText(copy);
    var cancel = target.closest("[data-close-details]");
    if (cancel) {
      var details = cancel.closest("details");
      details.open = false;
      details.querySelector("summary").focus();
    }
    var dismiss = target.closest("[data-dismiss]");
    if (dismiss) dismiss.closest(".flash").remove();
  });

  // After htmx swaps in a confirmation or a new key, move focus there for keyboard and screen readers.
  document.addEventListener("htmx:afterSettle", function (event) {
    var focus = event.target.querySelector && event.target.querySelector("[data-autofocus]");
    if (!focus && event.target.matches && event.target.matches("[data-autofocus]")) focus = event.target;
    if (focus) focus.focus();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-check-form]");
    if (form && window.htmx) setUpChecker(form);
    document.querySelectorAll("[data-upload-progress]").forEach(setUpUploadProgress);
  });
})();
