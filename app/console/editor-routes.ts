import { type DraftItem, draftFromForm, type TemplateKey } from '../template-fields';
import { type PreviewSample, previewTemplate } from '../template-preview';
import {
  type ConsoleOptions,
  HttpError,
  keyFrom,
  postedForm,
  type Route,
  redirect,
  sampleFrom,
  send,
  sendPage,
} from './console-http';
import {
  type Baseline,
  baselineFor,
  diffAgainst,
  loadTemplates,
  saveTemplate,
  servedNow,
  type Templates,
} from './console-service';
import { editorPage, keyQuery, type Notice } from './pages/editor-page';
import { previewFragment, problemsFragment } from './pages/preview-fragment';
import { reviewPage } from './pages/review-page';

/** Someone saved the key after this editor opened: the review compares with their version, and says so. */
function movedOn(baseline: Baseline, editorVersion: string | undefined): Notice | undefined {
  if (editorVersion === undefined || Number(editorVersion) === baseline.version) return undefined;
  const by = baseline.stored?.updatedBy ? ` by ${baseline.stored.updatedBy}` : '';
  return {
    kind: 'warn',
    text: `Version ${baseline.version} was saved${by} after you opened the editor: the changes below are against it.`,
  };
}

/** One template: the editor, its live preview, the review with a diff, and the save. */
export function editorRoutes(options: ConsoleOptions): Record<string, Route> {
  const log = options.log ?? (() => {});
  const editorView = (
    templates: Templates,
    key: TemplateKey,
    draft: DraftItem,
    sample: PreviewSample,
    notice?: Notice,
  ) => {
    const baseline = baselineFor(templates, key, options.defaultLocale);
    return {
      key,
      draft,
      baseline,
      preview: previewTemplate(draft, sample),
      served: servedNow(templates, key, options.defaultLocale),
      sample,
      stored: new Set(
        templates.table
          .filter((t) => t.locale === key.locale && t.channel === key.channel)
          .map((t) => t.purpose as string),
      ),
      ...(notice ? { notice } : {}),
    };
  };

  return {
    'GET /edit': async (ctx) => {
      const key = keyFrom(ctx.url.searchParams);
      const templates = await loadTemplates(await options.tables.current());
      const baseline = baselineFor(templates, key, options.defaultLocale);
      const saved = ctx.url.searchParams.get('saved');
      const notice: Notice | undefined = saved
        ? {
            kind: 'ok',
            text: `Saved version ${saved}. The hook serves it once its template cache expires (TEMPLATE_CACHE_TTL_SECONDS, 300 s unless set).`,
          }
        : undefined;
      const view = editorView(templates, key, baseline.draft, sampleFrom({}, options.brand), notice);
      await sendPage(
        options,
        ctx,
        `Edit ${key.locale}/${key.channel}/${key.purpose}`,
        undefined,
        editorPage({ ...view, csrf: ctx.security.csrfToken }),
      );
    },
    'POST /edit': async (ctx) => {
      const form = await postedForm(ctx);
      const key = keyFrom(form);
      const draft = draftFromForm(key, form);
      const sample = sampleFrom(form, options.brand);
      const table = await options.tables.current();
      const templates = await loadTemplates(table);
      const view = editorView(templates, key, draft, sample);
      const title = `${key.locale}/${key.channel}/${key.purpose}`;
      if (form.action === 'review') {
        await sendPage(
          options,
          ctx,
          `Review ${title}`,
          undefined,
          reviewPage({
            ...view,
            diff: diffAgainst(view.baseline.compareWith, draft),
            csrf: ctx.security.csrfToken,
            table: table.description,
            ...(movedOn(view.baseline, form.baseVersion)
              ? { notice: movedOn(view.baseline, form.baseVersion) }
              : {}),
          }),
        );
      } else {
        // Keep the version the editor started from, so a save still detects a concurrent edit.
        const baseVersion = Number(form.baseVersion);
        const baseline = Number.isInteger(baseVersion)
          ? { ...view.baseline, version: baseVersion }
          : view.baseline;
        await sendPage(
          options,
          ctx,
          `Edit ${title}`,
          undefined,
          editorPage({ ...view, baseline, csrf: ctx.security.csrfToken }),
        );
      }
    },
    'POST /api/preview': async (ctx) => {
      const form = await postedForm(ctx);
      const key = keyFrom(form);
      const preview = previewTemplate(draftFromForm(key, form), sampleFrom(form, options.brand));
      const facts = preview.sms
        ? `${preview.sms.encoding}, ${preview.sms.segments} segment(s)`
        : `voice ${preview.voice?.voiceId ?? 'none'}`;
      const problems = preview.saveProblems.length + preview.lintProblems.length;
      send(
        ctx.response,
        200,
        'application/json; charset=utf-8',
        JSON.stringify({
          preview: previewFragment(preview).value,
          problems: problemsFragment(preview).value,
          status: `${facts}; ${problems === 0 ? 'no problems' : `${problems} problem(s)`}`,
          invalid: preview.saveProblems.length > 0,
        }),
      );
    },
    'POST /save': async (ctx) => {
      const form = await postedForm(ctx);
      const key = keyFrom(form);
      const draft = draftFromForm(key, form);
      const sample = sampleFrom(form, options.brand);
      const baseVersion = Number(form.baseVersion);
      if (!Number.isInteger(baseVersion) || baseVersion < 0) throw new HttpError(400, 'baseVersion missing');
      const table = await options.tables.current();
      const result = await saveTemplate(table, draft, baseVersion, options.operator);
      if (result.kind === 'saved') {
        log(
          `saved ${key.locale}/${key.channel}/${key.purpose} version ${result.version} to ${table.description}`,
        );
        return redirect(ctx.response, `/edit?${keyQuery(key)}&saved=${result.version}`);
      }
      const templates = await loadTemplates(table);
      const view = editorView(templates, key, draft, sample);
      const notice: Notice =
        result.kind === 'invalid'
          ? {
              kind: 'error',
              text: 'Not saved: the template is invalid (see the checks). Nothing was written.',
            }
          : {
              kind: 'warn',
              text: `Not saved: ${result.current ? `version ${result.current.version} was saved${result.current.updatedBy ? ` by ${result.current.updatedBy}` : ''}${result.current.updatedAt ? ` at ${result.current.updatedAt}` : ''}` : 'the template was removed'} since you opened it. Here is your text against it; save again to replace it.`,
            };
      await sendPage(
        options,
        ctx,
        `Review ${key.locale}/${key.channel}/${key.purpose}`,
        undefined,
        reviewPage({
          ...view,
          diff: diffAgainst(view.baseline.compareWith, draft),
          csrf: ctx.security.csrfToken,
          table: table.description,
          notice,
        }),
        result.kind === 'invalid' ? 422 : 409,
      );
    },
  };
}
