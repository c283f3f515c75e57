// ともに: small progressive enhancements. No dependencies; loaded with `defer`.
// htmx is configured by <meta name="htmx-config"> in base.html, not from here, and the CSP
// (script-src 'self') is why nothing of this lives inline in a template.
(function () {
  "use strict";

  // <form data-confirm="…"> (or a submit button with data-confirm) asks before sending.
  // Capture phase on document, so a "cancel" also stops htmx's own submit handler.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) {
        return;
      }
      var submitter = event.submitter;
      var message =
        (submitter && submitter.getAttribute("data-confirm")) ||
        form.getAttribute("data-confirm");
      if (message && !window.confirm(message)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  // 「印刷する」 buttons (a page printed for a paper meeting).
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("[data-print]")) {
      window.print();
    }
  });

  // <select data-choices-from="a b">: only the options whose value is ticked among the
  // form's checkboxes named a or b (the ◎ among the 課題 ticked), and the empty option.
  // A choice whose box is unticked goes back to empty. The server checks the same rule.
  function narrow(select) {
    var form = select.form;
    if (!form) {
      return;
    }
    var ticked = {};
    select
      .getAttribute("data-choices-from")
      .split(" ")
      .forEach(function (name) {
        form.querySelectorAll('input[type="checkbox"]').forEach(function (box) {
          if (box.name === name && box.checked) {
            ticked[box.value] = true;
          }
        });
      });
    Array.prototype.forEach.call(select.options, function (option) {
      var offered = option.value === "" || ticked[option.value] === true;
      option.hidden = !offered;
      option.disabled = !offered;
    });
    if (select.value !== "" && ticked[select.value] !== true) {
      select.value = "";
    }
  }

  function narrowWithin(root) {
    root.querySelectorAll("select[data-choices-from]").forEach(narrow);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.type === "checkbox" && target.form) {
      narrowWithin(target.form);
    }
  });
  document.addEventListener("htmx:load", function (event) {
    narrowWithin(event.detail.elt);
  });
  narrowWithin(document);

  // <input data-filter-options="select-id">: typing narrows that select's options to those
  // whose text holds every word typed (widths folded). The field is hidden without script.
  function fold(text) {
    return text.normalize("NFKC").toLowerCase();
  }
  document.querySelectorAll("[data-filter-options]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-filter-options"));
    var field = input.closest("[data-filter-field]");
    if (!(select instanceof HTMLSelectElement)) {
      return;
    }
    if (field) {
      field.hidden = false;
    }
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(select.options, function (option) {
        var text = fold(option.text);
        var shown =
          option.value === "" ||
          words.every(function (word) {
            return text.indexOf(word) !== -1;
          });
        option.hidden = !shown;
        option.disabled = !shown;
      });
    });
  });

  // A long list of checkboxes (.checkbox-group: the 課題, the 横断タグ) is one Tab stop, like
  // a radio group: the arrow keys (and Home/End) move within it, Space ticks, Tab leaves it.
  // The box last visited keeps the stop. Without script every box is a stop of its own.
  var ROVING_FROM = 5;
  var roved = 0;
  function rove(group) {
    var boxes = Array.prototype.slice.call(group.querySelectorAll('input[type="checkbox"]'));
    if (boxes.length < ROVING_FROM || group.hasAttribute("data-roving")) {
      return;
    }
    group.setAttribute("data-roving", "");
    roved += 1;
    var hint = document.createElement("p");
    hint.className = "checkbox-group__keys meta";
    hint.id = "checkbox-keys-" + roved;
    hint.textContent = "矢印キーで移動し、スペースキーでチェックします。";
    group.insertBefore(hint, group.firstChild);
    function settle(current) {
      boxes.forEach(function (box) {
        box.tabIndex = box === current ? 0 : -1;
      });
    }
    var first = boxes[0];
    boxes.forEach(function (box) {
      var described = box.getAttribute("aria-describedby");
      box.setAttribute("aria-describedby", (described ? described + " " : "") + hint.id);
      if (box.checked && first === boxes[0] && !boxes[0].checked) {
        first = box;
      }
    });
    settle(first);
    group.addEventListener("focusin", function (event) {
      if (boxes.indexOf(event.target) !== -1) {
        settle(event.target);
      }
    });
    group.addEventListener("keydown", function (event) {
      var at = boxes.indexOf(event.target);
      var to = null;
      if (at === -1) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowRight") {
        to = boxes[(at + 1) % boxes.length];
      } else if (event.key === "ArrowUp" || event.key === "ArrowLeft") {
        to = boxes[(at - 1 + boxes.length) % boxes.length];
      } else if (event.key === "Home") {
        to = boxes[0];
      } else if (event.key === "End") {
        to = boxes[boxes.length - 1];
      }
      if (to) {
        event.preventDefault();
        settle(to);
        to.focus();
      }
    });
  }
  function roveWithin(root) {
    root.querySelectorAll(".checkbox-group").forEach(rove);
  }
  document.addEventListener("htmx:load", function (event) {
    roveWithin(event.detail.elt);
  });
  roveWithin(document);

  // The error summary (includes/error_summary.html) takes the focus when the page opens, so
  // the worker, and a screen reader, start from the list of what to fix; each item links to
  // its field.
  var summary = document.querySelector("[data-autofocus]");
  if (summary instanceof HTMLElement) {
    summary.focus();
  }

  // An htmx request answered 404 normally swaps nothing. Elements marked data-swap-not-found
  // (「この方で受け付ける」) get the server's explanation swapped in instead (what to do next).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (
      detail.xhr &&
      detail.xhr.status === 404 &&
      detail.elt &&
      detail.elt.closest("[data-swap-not-found]")
    ) {
      detail.shouldSwap = true;
      detail.isError = false;
    }
  });
})();
