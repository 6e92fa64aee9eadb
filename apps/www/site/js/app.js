// The example site's script: proves that the page's style sheet, picture
// and a JSON document all arrived, by writing what it sees into the page.
"use strict";
window.addEventListener("load", function () {
	var logo = document.getElementById("logo");
	var colour = getComputedStyle(document.querySelector("h1")).color;
	var status = document.getElementById("status");
	fetch("/data/facts.json")
		.then(function (r) { return r.json(); })
		.then(function (facts) {
			status.textContent = "script ran: css " + colour + ", image " + logo.naturalWidth + "x" +
				logo.naturalHeight + ", served by " + facts.server;
			status.setAttribute("data-ok", "yes");
		})
		.catch(function (e) {
			status.textContent = "script failed: " + e;
		});
});
