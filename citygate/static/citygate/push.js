/*
 * Notifications on this device.
 *
 * On the preferences page, where the browser can receive pushes (a service worker and the
 * Push API), it shows the button that subscribes this device with the server's VAPID key and
 * registers the subscription; elsewhere the page stays as it is. The list of devices and their
 * remove buttons are plain forms and work without it.
 *
 * On signing out (a form marked data-push-signout), it unsubscribes this browser and sends its
 * endpoint with the form, so that the server forgets the device too: a signed-out browser
 * must not go on showing the person's messages. Without it, signing out works as before.
 */
(function () {
  "use strict";

  var pushable = "serviceWorker" in navigator && "PushManager" in window;
  // Signing out never waits longer than this for the browser.
  var SIGN_OUT_WAIT_MS = 3000;

  function signOutWithDevice(event) {
    var form = event.target;
    if (form.dataset.pushDone) {
      return;
    }
    event.preventDefault();
    form.dataset.pushDone = "1";
    var sent = false;
    function submit() {
      if (!sent) {
        sent = true;
        form.submit();
      }
    }
    window.setTimeout(submit, SIGN_OUT_WAIT_MS);
    navigator.serviceWorker.getRegistration()
      .then(function (registration) {
        return registration ? registration.pushManager.getSubscription() : null;
      })
      .then(function (subscription) {
        if (!subscription) {
          return null;
        }
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "push_endpoint";
        field.value = subscription.endpoint;
        form.appendChild(field);
        return subscription.unsubscribe();
      })
      .catch(function () { return null; })
      .then(submit);
  }

  if (pushable) {
    document.querySelectorAll("form[data-push-signout]").forEach(function (form) {
      form.addEventListener("submit", signOutWithDevice);
    });
  }

  var box = document.querySelector("[data-push]");
  if (!box || !pushable || !("Notification" in window)) {
    return;
  }
  var button = box.querySelector("[data-push-enable]");
  var status = box.querySelector("[data-push-status]");
  var texts = box.querySelector("[data-push-messages]").dataset;
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");

  function keyBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  // "Chrome · Android": enough for the person to tell their devices apart, nothing more.
  function label() {
    var agent = navigator.userAgent;
    var browsers = [["Edg/", "Edge"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]];
    var systems = [["Android", "Android"], ["iPhone", "iPhone"], ["iPad", "iPad"], ["Windows", "Windows"],
      ["Mac OS", "macOS"], ["Linux", "Linux"]];
    function first(pairs) {
      for (var i = 0; i < pairs.length; i += 1) {
        if (agent.indexOf(pairs[i][0]) !== -1) {
          return pairs[i][1];
        }
      }
      return "";
    }
    return [first(browsers), first(systems)].filter(Boolean).join(" · ");
  }

  function say(text) {
    status.textContent = text;
  }

  function subscribe() {
    button.disabled = true;
    say(texts.working);
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") {
          throw new Error("denied");
        }
        return Promise.all([
          fetch(box.dataset.keyUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }),
          navigator.serviceWorker.ready,
        ]);
      })
      .then(function (found) {
        return found[1].pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(found[0].public_key),
        });
      })
      .then(function (subscription) {
        var body = subscription.toJSON();
        body.label = label();
        return fetch(box.dataset.subscribeUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
          body: JSON.stringify(body),
        });
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("refused");
        }
        window.location.reload();
      })
      .catch(function (error) {
        button.disabled = false;
        say(error && error.message === "denied" ? texts.denied : texts.failed);
      });
  }

  box.hidden = false;
  button.addEventListener("click", subscribe);
})();
