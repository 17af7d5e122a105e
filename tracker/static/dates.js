/* Đôn Đốc date fields: the phone's own date picker beside the typed dd/mm/yyyy field.
 *
 * Each VNDateField renders its text field and a hidden, unnamed <input type="date"
 * data-date-for="ID"> (tracker/fields.py). Without JavaScript only the text field shows and
 * takes 31/01/2027, 31.01.2027, 31-01-2027 or 31012027. With it, the picker shows as a small
 * calendar button; a picked date is written into the text field as dd/mm/yyyy, and a typed
 * date is copied into the picker so it opens on that day. The text field is what is posted.
 */
(function () {
  "use strict";

  var TYPED = /^\s*(\d{1,2})\s*[\/.\-]?\s*(\d{1,2})\s*[\/.\-]?\s*(\d{4})\s*$/;

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function toIso(text) {
    var compact = /^\s*(\d{2})(\d{2})(\d{4})\s*$/.exec(text);
    var match = compact || TYPED.exec(text);
    if (!match) {
      return "";
    }
    var day = parseInt(match[1], 10);
    var month = parseInt(match[2], 10);
    var year = parseInt(match[3], 10);
    var date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
      return "";
    }
    return year + "-" + pad(month) + "-" + pad(day);
  }

  function toTyped(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    return parts ? parts[3] + "/" + parts[2] + "/" + parts[1] : "";
  }

  function enhance(picker) {
    var field = document.getElementById(picker.getAttribute("data-date-for"));
    if (!field) {
      return;
    }
    picker.hidden = false;
    picker.removeAttribute("tabindex");
    picker.addEventListener("change", function () {
      if (picker.value) {
        field.value = toTyped(picker.value);
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
    picker.addEventListener("click", function () {
      if (typeof picker.showPicker === "function") {
        try {
          picker.showPicker();
        } catch (ignored) {
          /* not allowed here (no user gesture): the browser's own control still works */
        }
      }
    });
    field.addEventListener("input", function () {
      var iso = toIso(field.value);
      if (iso && iso >= picker.min && iso <= picker.max) {
        picker.value = iso;
      }
    });
  }

  function start() {
    var pickers = document.querySelectorAll("input[type=date][data-date-for]");
    for (var index = 0; index < pickers.length; index += 1) {
      enhance(pickers[index]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
