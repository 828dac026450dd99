// Shows the chosen avatar before upload. The server still checks, crops and cleans it.
document.addEventListener("DOMContentLoaded", function () {
  var input = document.querySelector('input[type=file][name=avatar]');
  var img = document.getElementById("avatar-preview");
  if (!input || !img) return;
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file || !file.type.match(/^image\//)) return;
    img.src = URL.createObjectURL(file);
    img.hidden = false;
  });
});
