/**
 * Progressive enhancement for the template console. Every page works without it (forms post to the
 * server, which renders the preview); with it, the preview and checks follow each keystroke. Previews
 * arrive as HTML the server escaped; nothing here builds markup from template text.
 */

interface PreviewAnswer {
  readonly preview: string;
  readonly problems: string;
  readonly status: string;
  readonly invalid: boolean;
}

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

function formBody(form: HTMLFormElement): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (typeof value === 'string') body.append(name, value);
  }
  return body;
}

function livePreview(form: HTMLFormElement): void {
  const preview = document.getElementById('preview');
  const problems = document.getElementById('problems');
  const status = document.getElementById('live-status');
  const body = form.querySelector<HTMLTextAreaElement>('textarea[name="field.body"]');
  if (!preview || !problems) return;
  let timer: number | undefined;
  let inFlight: AbortController | undefined;
  let dirty = false;

  const refresh = async () => {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    preview.setAttribute('aria-busy', 'true');
    try {
      const response = await fetch('/api/preview', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrfToken() },
        body: formBody(form),
        signal: controller.signal,
        credentials: 'same-origin',
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const answer = (await response.json()) as PreviewAnswer;
      preview.innerHTML = answer.preview;
      problems.innerHTML = answer.problems;
      body?.setAttribute('aria-invalid', String(answer.invalid));
      if (status) status.textContent = answer.status;
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      if (status)
        status.textContent = `Preview unavailable (${(error as Error).message}); use the Preview button.`;
    } finally {
      if (inFlight === controller) preview.removeAttribute('aria-busy');
    }
  };

  form.addEventListener('input', () => {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 150);
  });
  form.addEventListener('submit', () => {
    dirty = false;
  });
  // Leaving the page with edits that were never reviewed loses them: the browser asks first.
  window.addEventListener('beforeunload', (event) => {
    if (dirty) event.preventDefault();
  });
}

function fileIntoTextarea(): void {
  const input = document.getElementById('import-file') as HTMLInputElement | null;
  const text = document.getElementById('import-text') as HTMLTextAreaElement | null;
  if (!input || !text) return;
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (file) text.value = await file.text();
  });
}

document.addEventListener('DOMContentLoaded', () => {
  const editor = document.querySelector<HTMLFormElement>('form[data-live-preview]');
  if (editor) livePreview(editor);
  fileIntoTextarea();
});
