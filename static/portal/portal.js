// The portal's photo pickers: show the chosen files' names under the big button.
// Loaded with `defer`; without it the native picker still works, only the list stays empty.
(function () {
  "use strict";
  function list(input) {
    var box = input.parentNode.querySelector(".picker-files");
    var text = input.parentNode.querySelector(".picker-text");
    if (!box) return;
    box.textContent = "";
    if (text && !text.hasAttribute("data-idle")) text.setAttribute("data-idle", text.textContent);
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) {
      var empty = document.createElement("li");
      empty.className = "muted small";
      empty.textContent = box.getAttribute("data-empty") || "";
      box.appendChild(empty);
      if (text) text.textContent = text.getAttribute("data-idle");
      return;
    }
    files.forEach(function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + "（" + Math.max(1, Math.round(file.size / 1024)) + " KB）";
      box.appendChild(item);
    });
    if (text) text.textContent = "已选 " + files.length + " 个文件，点此重新选择";
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.matches && input.matches(".picker input[type=file]")) list(input);
  });
})();
