// Runs before the page paints: lets the CSS show the JavaScript-only controls.
document.documentElement.classList.replace("no-js", "js");
