/* Progressive enhancement for the notification settings page: subscribe this browser to web
   push and register the subscription with the server (POST /api/v1/notifications/push-subscriptions). */
(function () {
  "use strict";
  const control = document.getElementById("push-control");
  const texts = document.getElementById("push-messages");
  if (!control || !texts || !("serviceWorker" in navigator) || !("PushManager" in window)) {
    return;
  }
  const button = document.getElementById("push-enable");
  const status = document.getElementById("push-status");
  control.hidden = false;

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(padded);
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        status.textContent = texts.dataset.denied;
        return;
      }
      const registration = await navigator.serviceWorker.register(control.dataset.workerUrl);
      await navigator.serviceWorker.ready;
      const subscription =
        (await registration.pushManager.getSubscription()) ||
        (await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(control.dataset.vapidKey),
        }));
      const json = subscription.toJSON();
      const response = await fetch(control.dataset.subscribeUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ endpoint: json.endpoint, keys: json.keys, user_agent: navigator.userAgent }),
      });
      status.textContent = response.ok ? texts.dataset.done : texts.dataset.failed;
    } catch (error) {
      status.textContent = texts.dataset.failed;
    } finally {
      button.disabled = false;
    }
  });
})();
