// "Copy text" buttons: copy the textarea named by data-copy, and say so on the button.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  if (!field) return;
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    // Clipboard API needs a secure context; fall back to selecting and the old command.
    field.select();
    document.execCommand("copy");
  }
  button.textContent = button.dataset.copied;
  button.setAttribute("aria-live", "polite");
});
