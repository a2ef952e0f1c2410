// Bus console: the only script. Shows every <time datetime> in the viewer's own time zone.
// Without it the pages still work and show UTC.
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  document.querySelectorAll("time[datetime]").forEach(function (t) {
    var at = new Date(t.getAttribute("datetime"));
    if (isNaN(at.getTime())) return;
    t.title = t.textContent;
    t.textContent = format.format(at);
  });
  var foot = document.querySelector(".foot");
  if (foot && zone) foot.textContent = "Times are shown in your time zone (" + zone + ").";
})();
