// ともに: 郵便番号 → 住所. Loaded with `defer` by the forms that take an address.
//
// <input data-postal="address district" data-postal-url="/people/postal/">: once seven
// digits are typed (full-width too), the server's packaged postal data is asked (no call
// leaves the city's server) and
//   - the form's field named by the first word (住所) gets 東京都稲城市… when it is empty or
//     still holds only what this script put there: never over what a worker typed;
//   - the <select> named by the second word (地区) gets the proposed 地区 when none is chosen;
//   - a polite status line under the 郵便番号 says what happened.
// Without this script the form still works: the server proposes the 地区 from the address.
(function () {
  "use strict";

  var FULL_WIDTH_DIGITS = /[０-９]/g;

  function digitsOf(text) {
    return text
      .replace(FULL_WIDTH_DIGITS, function (digit) {
        return String.fromCharCode(digit.charCodeAt(0) - 0xfee0);
      })
      .replace(/[^0-9]/g, "");
  }

  function setUp(input) {
    var form = input.form;
    var names = (input.getAttribute("data-postal") || "").split(" ");
    var url = input.getAttribute("data-postal-url");
    if (!form || !url) {
      return;
    }
    var address = form.elements.namedItem(names[0]);
    var district = names[1] ? form.elements.namedItem(names[1]) : null;
    if (!(address instanceof HTMLInputElement || address instanceof HTMLTextAreaElement)) {
      return;
    }
    if (!(district instanceof HTMLSelectElement)) {
      district = null;
    }

    // The live region exists before anything is said in it, so screen readers announce it.
    var status = document.createElement("p");
    status.className = "field__hint postal-status";
    status.id = input.id + "_postal_status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", status);
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + status.id);

    var asked = "";
    var filled = ""; // what this script last put into 住所
    var proposed = ""; // the 地区 it last selected
    var request = 0;

    function say(text) {
      status.textContent = text;
    }

    function apply(data) {
      var parts = [];
      var empty = address.value.trim() === "" || address.value === filled;
      if (empty) {
        address.value = data.address;
        filled = data.address;
        parts.push("〒" + data.code + ": " + data.address + " を入れました。");
      } else {
        parts.push(
          "〒" + data.code + " は " + data.address + " です（入力済みの住所は変えていません）。"
        );
      }
      if (data.towns.length) {
        parts.push("町域は " + data.towns.join("・") + " のいずれかです。");
      }
      if (district && data.district) {
        var id = String(data.district.id);
        if (district.value === "" || district.value === proposed) {
          district.value = id;
          proposed = id;
          parts.push("地区「" + data.district.name + "」を提案しています。");
        } else if (district.value !== id) {
          parts.push(
            "この住所の地区は「" + data.district.name + "」です（選んだ地区は変えていません）。"
          );
        }
      }
      say(parts.join(""));
    }

    function look(code) {
      var mine = ++request;
      say("〒" + code.slice(0, 3) + "-" + code.slice(3) + " の住所を調べています…");
      fetch(url + "?code=" + encodeURIComponent(code), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json();
        })
        .then(function (data) {
          if (mine !== request) {
            return; // a later code was typed meanwhile
          }
          if (data.error) {
            say(data.error);
          } else {
            apply(data);
          }
        })
        .catch(function () {
          if (mine === request) {
            say("住所を調べられませんでした。住所を入力してください。");
          }
        });
    }

    input.addEventListener("input", function () {
      var code = digitsOf(input.value);
      if (code.length !== 7) {
        asked = "";
        return;
      }
      if (code !== asked) {
        asked = code;
        look(code);
      }
    });

    // Tabbing into a field selects all of it: the next key would erase the filled-in
    // beginning. Put the caret after it instead, where the 番地 goes.
    function caretAfterFilled() {
      // Only while the field still holds just what was filled: a key typed meanwhile (a
      // fast typist, or the browser's own select-all arriving late) is never moved around.
      if (filled && address.value === filled) {
        var end = address.value.length;
        address.setSelectionRange(end, end);
      }
    }
    address.addEventListener("focus", function () {
      caretAfterFilled();
      window.setTimeout(caretAfterFilled, 0);
    });
  }

  document.querySelectorAll("input[data-postal]").forEach(setUp);
})();
