// The post body's rich-text editor (Quill 2, static/vendor/quill): it takes over <textarea data-editor> and writes
// clean HTML back into it when the form is sent. Without script the textarea stays a plain HTML box; the server
// sanitises whatever arrives (publishing/text.py), including what Word puts on the clipboard.
(function () {
  "use strict";
  if (!window.Quill) return;
  var LABELS = {
    bold: "加粗", italic: "倾斜", underline: "下划线", link: "链接", image: "插入图片", blockquote: "引用",
    clean: "清除格式", header: "段落格式", "list-ordered": "编号列表", "list-bullet": "项目符号列表",
    "table-insert": "插入表格", "table-row": "表格加一行", "table-column": "表格加一列",
    "table-delete-row": "删除所在行", "table-delete-column": "删除所在列", "table-delete": "删除表格",
  };
  var TABLE_BUTTONS = {
    "table-insert": "表格", "table-row": "+行", "table-column": "+列", "table-delete-row": "−行",
    "table-delete-column": "−列", "table-delete": "删表",
  };

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function setUp(textarea) {
    var form = textarea.form;
    var status = document.createElement("p");
    status.className = "editor-status";
    status.setAttribute("role", "status");
    var holder = document.createElement("div");
    holder.className = "editor-area";
    textarea.parentNode.insertBefore(holder, textarea);
    textarea.parentNode.insertBefore(status, textarea.nextSibling);
    textarea.hidden = true;
    textarea.classList.add("editor-source");

    function say(text, bad) {
      status.textContent = text;
      status.classList.toggle("error", !!bad);
    }

    var quill = new window.Quill(holder, {
      theme: "snow",
      modules: {
        table: true,
        toolbar: {
          container: [
            [{ header: [2, 3, false] }],
            ["bold", "italic", "underline"],
            [{ list: "ordered" }, { list: "bullet" }, "blockquote"],
            ["link", "image"],
            ["table-insert", "table-row", "table-column", "table-delete-row", "table-delete-column", "table-delete"],
            ["clean"],
          ],
          handlers: {
            image: function () { chooseImage(); },
            "table-insert": function () { table().insertTable(3, 3); },
            "table-row": function () { table().insertRowBelow(); },
            "table-column": function () { table().insertColumnRight(); },
            "table-delete-row": function () { table().deleteRow(); },
            "table-delete-column": function () { table().deleteColumn(); },
            "table-delete": function () { table().deleteTable(); },
          },
        },
      },
    });
    function table() { return quill.getModule("table"); }

    // Pasted pictures arrive as data: URIs, which the server drops: ask for an upload instead.
    quill.clipboard.addMatcher("IMG", function (node, delta) {
      var src = node.getAttribute("src") || "";
      if (/^data:/i.test(src) || /^file:/i.test(src)) {
        say("粘贴内容中的图片没有插入，请用“插入图片”按钮上传。", true);
        return new (window.Quill.import("delta"))();
      }
      return delta;
    });

    // Chinese names for the buttons (Quill's own are English).
    holder.previousSibling && holder.previousSibling.querySelectorAll("button, .ql-picker").forEach(function (el) {
      var name = (el.className.match(/ql-([a-z-]+)/) || [])[1];
      var key = name === "list" ? "list-" + el.value : name;
      if (LABELS[key]) {
        el.setAttribute("title", LABELS[key]);
        el.setAttribute("aria-label", LABELS[key]);
      }
      if (TABLE_BUTTONS[name]) el.textContent = TABLE_BUTTONS[name];
    });
    // The field's label names the editor now (screen readers, and finding the field by its label).
    var label = textarea.id && document.querySelector('label[for="' + textarea.id + '"]');
    if (label) {
      label.id = label.id || textarea.id + "-label";
      label.removeAttribute("for");
      quill.root.setAttribute("aria-labelledby", label.id);
      quill.root.setAttribute("role", "textbox");
      quill.root.setAttribute("aria-multiline", "true");
      label.addEventListener("click", function () { quill.focus(); });
    }
    var tooltip = quill.theme && quill.theme.tooltip;
    if (tooltip && tooltip.textbox) tooltip.textbox.setAttribute("data-link", "https://");

    if (textarea.value.trim()) {
      quill.clipboard.dangerouslyPasteHTML(textarea.value, "silent");
    }

    function save() {
      var empty = quill.getLength() <= 1 && !quill.root.querySelector("img, table");
      // getSemanticHTML writes every space as &nbsp;: give the text its ordinary spaces back.
      textarea.value = empty ? "" : quill.getSemanticHTML().replace(/&nbsp;/g, " ");
    }
    quill.on("text-change", save);
    if (form) form.addEventListener("submit", save);

    function chooseImage() {
      var url = textarea.dataset.imageUrl;
      if (!url) {
        say("请先保存稿件，再插入图片（图片作为本稿件的附件保存）。", true);
        return;
      }
      var input = document.createElement("input");
      input.type = "file";
      input.accept = "image/png,image/jpeg,image/gif,image/webp";
      input.addEventListener("change", function () {
        if (input.files && input.files[0]) upload(url, input.files[0]);
      });
      input.click();
    }

    function upload(url, file) {
      var data = new FormData();
      data.append("image", file);
      say("正在上传图片…", false);
      fetch(url, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "X-Requested-With": "XMLHttpRequest" },
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) throw new Error(body.detail || "图片上传失败，请稍后重试。");
          return body;
        });
      }).then(function (body) {
        var range = quill.getSelection(true);
        quill.insertEmbed(range ? range.index : quill.getLength(), "image", body.url, "user");
        say("已插入图片“" + body.name + "”，并作为附件保存。", false);
      }).catch(function (error) {
        say(error.message, true);
      });
    }
    textarea.editor = quill;
  }

  document.querySelectorAll("textarea[data-editor]").forEach(setUp);
})();
