// ともに 2段階認証: the browser half of the passkey (WebAuthn) ceremonies, and the print button
// of the recovery codes. The server half is tomoni/accounts/passkeys.py. No dependencies; the
// CSP (script-src 'self') is why this is a file and not inline.
//
// A <form data-passkey="register|verify" data-options="URL" action="URL"> is sent in two
// steps: POST to data-options for the challenge, ask the authenticator, then POST its answer
// (field "credential", JSON) to the form's action, which answers {redirect} or {message}.
(function () {
  "use strict";

  var supported = !!(window.PublicKeyCredential && navigator.credentials);

  function toBytes(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) {
      return null;
    }
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) {
      raw += String.fromCharCode(bytes[i]);
    }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeIds(list) {
    return (list || []).map(function (item) {
      return Object.assign({}, item, { id: toBytes(item.id) });
    });
  }

  function creationOptions(json) {
    return Object.assign({}, json, {
      challenge: toBytes(json.challenge),
      user: Object.assign({}, json.user, { id: toBytes(json.user.id) }),
      excludeCredentials: decodeIds(json.excludeCredentials),
    });
  }

  function requestOptions(json) {
    return Object.assign({}, json, {
      challenge: toBytes(json.challenge),
      allowCredentials: decodeIds(json.allowCredentials),
    });
  }

  function encode(credential) {
    var r = credential.response;
    var response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      response.userHandle = toText(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || null,
    });
  }

  function post(url, form, credential) {
    var body = new FormData(form);
    if (credential) {
      body.append("credential", credential);
    }
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(data.message || "");
        }
        return data;
      });
    });
  }

  function ceremony(form) {
    var status = form.querySelector("[data-passkey-status]");
    var button = form.querySelector("button[type=submit]");
    var register = form.getAttribute("data-passkey") === "register";
    function show(message) {
      status.textContent = message;
      status.hidden = !message;
    }
    show("");
    button.disabled = true;
    post(form.getAttribute("data-options"), form)
      .then(function (options) {
        return register
          ? navigator.credentials.create({ publicKey: creationOptions(options) })
          : navigator.credentials.get({ publicKey: requestOptions(options) });
      })
      .then(function (credential) {
        return post(form.action, form, encode(credential));
      })
      .then(function (data) {
        window.location.assign(data.redirect);
      })
      .catch(function (error) {
        button.disabled = false;
        if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
          show("操作が取り消されたか、時間切れになりました。もう一度お試しください。");
        } else if (error && error.name === "InvalidStateError") {
          show("この生体認証・セキュリティキーは登録済みです。");
        } else {
          show((error && error.message) || "確認できませんでした。もう一度お試しください。");
        }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-passkey-section]").forEach(function (section) {
      section.hidden = !supported;
    });
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (note) {
      note.hidden = supported;
    });
    document.querySelectorAll("form[data-passkey]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        ceremony(form);
      });
    });
  });
})();
