// The story page's share buttons: the device's own share sheet where it has one (Web Share
// API), otherwise copying the link. Without JavaScript the link and plain share links remain.
(function () {
  "use strict";
  var share = document.querySelector("[data-share-url]");
  var copy = document.querySelector("[data-copy-target]");
  var status = document.querySelector("[data-copy-status]");
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator.share({ title: share.dataset.shareTitle, url: share.dataset.shareUrl })
        .catch(function () { /* the person closed the share sheet */ });
    });
  }
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var field = document.getElementById(copy.dataset.copyTarget);
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) status.textContent = status.dataset.copied;
      }, function () {
        field.select();
      });
    });
  }
})();
