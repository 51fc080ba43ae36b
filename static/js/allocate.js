// The allocation page: running total of the shares against the parent's target. A static file, so the
// Content-Security-Policy allows no inline script.
(function () {
  var form = document.getElementById("split-form");
  if (!form) return;
  var target = form.dataset.target === "" ? null : parseInt(form.dataset.target, 10);
  var total = document.getElementById("split-total"), status = document.getElementById("split-status");
  function whole(text) { text = (text || "").replace(/[.\s]/g, ""); var n = parseInt(text, 10); return isNaN(n) ? 0 : n; }
  function vn(n) { return Math.abs(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
  function update() {
    var sum = 0;
    form.querySelectorAll("input.share").forEach(function (input) { sum += whole(input.value); });
    total.textContent = vn(sum);
    if (target === null) { status.className = "none"; status.textContent = "Đã phân bổ " + vn(sum) + " người; đơn vị chưa có chỉ tiêu để đối chiếu."; return; }
    if (sum < target) { status.className = "under"; status.textContent = "Còn thiếu " + vn(target - sum) + " người so với chỉ tiêu."; }
    else if (sum > target) { status.className = "over"; status.textContent = "Vượt " + vn(sum - target) + " người so với chỉ tiêu."; }
    else { status.className = "exact"; status.textContent = "Đã phân bổ đủ chỉ tiêu."; }
  }
  form.addEventListener("input", update);
})();
