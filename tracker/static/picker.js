/* Đôn Đốc unit picker: progressive enhancement of a list of checkboxes.
 *
 * Without JavaScript the picker is a <details> list of checkboxes (the form posts them as they
 * are). With it, the chosen units show as chips with a remove button, and a text box finds a
 * unit or group by any part of its name, code or alias, with or without diacritics
 * ("mat tran" finds "Ủy ban MTTQ"). The checkboxes stay the only state: a click can add or
 * remove one unit, never replace the whole choice. Keyboard: arrows move (ArrowDown in the
 * empty box lists every unit), Enter adds, Escape closes, Backspace in an empty box removes
 * the last chip.
 */
(function () {
  "use strict";

  var MAX_SHOWN = 12;
  var texts = { find: "Gõ tên đơn vị", remove: "Bỏ", none: "Không tìm thấy", chosen: "đã chọn" };
  var counter = 0;

  function fold(text) {
    return text
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/\s+/g, " ")
      .trim();
  }

  function loadTexts() {
    var block = document.getElementById("picker-i18n");
    if (!block) return;
    try {
      var given = JSON.parse(block.textContent);
      Object.keys(given).forEach(function (key) { texts[key] = given[key]; });
    } catch (ignored) { /* keep the defaults */ }
  }

  function loadSearchKeys() {
    var block = document.getElementById("picker-search");
    try {
      return block ? JSON.parse(block.textContent) : {};
    } catch (ignored) {
      return {};
    }
  }

  function enhance(root, keys) {
    var boxes = Array.prototype.slice.call(root.querySelectorAll("input[type=checkbox]"));
    var options = boxes.map(function (box) {
      var name = box.closest("label").textContent.trim();
      // The server's key holds the name, code and aliases ("MTTQ", "Mặt trận Tổ quốc").
      return { box: box, name: name, search: keys[box.value] || fold(name) };
    });
    var id = "picker-" + (++counter);
    var legend = root.getAttribute("data-legend") || "";
    var chips = root.querySelector(".chips");
    var wrap = document.createElement("div");
    wrap.className = "picker-find";
    var input = document.createElement("input");
    input.type = "text";
    input.className = "picker-input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-list");
    input.setAttribute("aria-label", legend + ": " + texts.find);
    input.setAttribute("placeholder", texts.find);
    input.setAttribute("autocomplete", "off");
    var list = document.createElement("ul");
    list.id = id + "-list";
    list.className = "picker-options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    wrap.appendChild(input);
    wrap.appendChild(list);
    chips.insertAdjacentElement("afterend", wrap);
    root.classList.add("is-enhanced");
    var shown = [];
    var active = -1;

    function drawChips() {
      chips.textContent = "";
      options.forEach(function (option) {
        if (!option.box.checked) return;
        var chip = document.createElement("li");
        chip.className = "chip";
        chip.appendChild(document.createTextNode(option.name + " "));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "chip-remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", texts.remove + " " + option.name);
        remove.addEventListener("click", function () {
          option.box.checked = false;
          drawChips();
          input.focus();
        });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      active = index;
      shown.forEach(function (item, position) {
        item.element.setAttribute("aria-selected", position === index ? "true" : "false");
      });
      if (index >= 0 && shown[index]) {
        input.setAttribute("aria-activedescendant", shown[index].element.id);
        shown[index].element.scrollIntoView({ block: "nearest" });
      }
    }

    function choose(option) {
      option.box.checked = true;
      input.value = "";
      drawChips();
      close();
      input.focus();
    }

    function search(event, everything) {
      var words = fold(input.value).split(" ").filter(Boolean);
      list.textContent = "";
      shown = [];
      if (!words.length && !everything) { close(); return; }
      var phrase = words.join(" ");
      var hits = [];
      options.forEach(function (option, position) {
        if (!words.every(function (word) { return option.search.indexOf(word) !== -1; })) return;
        // Units whose own name holds the typed phrase come first ("tinh doan" -> Tỉnh Đoàn
        // before a group that merely mentions both words), then the directory's order.
        var rank = fold(option.name).indexOf(phrase) !== -1 ? 0 : 1;
        hits.push({ option: option, rank: rank, position: position });
      });
      hits.sort(function (a, b) { return a.rank - b.rank || a.position - b.position; });
      hits.slice(0, everything ? hits.length : MAX_SHOWN).forEach(function (hit) {
        var option = hit.option;
        var item = document.createElement("li");
        item.id = id + "-o" + shown.length;
        item.setAttribute("role", "option");
        item.textContent = option.name + (option.box.checked ? " (" + texts.chosen + ")" : "");
        item.addEventListener("mousedown", function (event) { event.preventDefault(); });
        item.addEventListener("click", function () { choose(option); });
        list.appendChild(item);
        shown.push({ element: item, option: option });
      });
      if (!shown.length) {
        var empty = document.createElement("li");
        empty.className = "picker-empty";
        empty.textContent = texts.none;
        list.appendChild(empty);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(shown.length ? 0 : -1);
    }

    input.addEventListener("input", search);
    // A tap or click in the empty box lists every unit, to browse instead of typing.
    input.addEventListener("click", function () {
      if (!input.value && list.hidden) search(null, true);
    });
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) {
          search(null, !input.value);
        } else if (shown.length) {
          highlight((active + 1) % shown.length);
        }
      } else if (event.key === "ArrowUp" && shown.length) {
        event.preventDefault();
        highlight((active - 1 + shown.length) % shown.length);
      } else if (event.key === "Enter") {
        event.preventDefault(); // Enter in the search box picks; it never submits the form
        if (active >= 0 && shown[active]) choose(shown[active].option);
      } else if (event.key === "Escape") {
        close();
      } else if (event.key === "Backspace" && !input.value) {
        var checked = options.filter(function (option) { return option.box.checked; });
        if (checked.length) {
          checked[checked.length - 1].box.checked = false;
          drawChips();
        }
      }
    });
    boxes.forEach(function (box) { box.addEventListener("change", drawChips); });
    drawChips();
  }

  function start() {
    loadTexts();
    // The server-side filter is for browsers without JavaScript; here each picker finds by
    // typing. Removed (not hidden) so that Enter in a field still means "Lưu nháp".
    Array.prototype.forEach.call(document.querySelectorAll(".unit-filter-controls"), function (box) {
      box.parentNode.removeChild(box);
    });
    var keys = loadSearchKeys();
    Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), function (root) {
      enhance(root, keys);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
