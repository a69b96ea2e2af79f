import * as z from 'zod';
import { config } from '../config';
import { ConfigError } from '../errors';

/**
 * Choice lists (選択肢) of the action form and the deal: what an action was (内容), how it ended (結果), why a lead
 * left the pipeline (対象外 / リサイクルの理由), the channels (手段) and the deal stages (案件ステージ); and which
 * results make a phone action an effective call (有効コール, seed 002: a result 「有効コールとしてカウント」).
 *
 * Japanese defaults below; a deployment replaces any list with the `CHOICES` environment variable, a JSON object with
 * the same keys (`{"results": ["不在", "アポ獲得"]}` replaces only the results). It is validated at cold start: a
 * function with a broken `CHOICES` fails to start rather than accept anything.
 */

export const ACTION_CHANNELS = ['email', 'phone', 'web_meeting', 'visit', 'other'] as const;
export type ActionChannel = (typeof ACTION_CHANNELS)[number];

const label = z.string().trim().min(1).max(100);
const unique = (values: string[]) => new Set(values).size === values.length;
const list = z.array(label).min(1).max(200).refine(unique, { message: 'values must be unique' });
/** A subset of the results; it may be empty (a deployment that counts no call as effective). */
const subset = z.array(label).max(200).refine(unique, { message: 'values must be unique' });

export const ChoicesSchema = z.strictObject({
  channels: z.array(z.strictObject({ value: z.enum(ACTION_CHANNELS), label })),
  contents: list,
  results: list,
  stageReasons: z.strictObject({ disqualified: list, recycle: list }),
  dealStages: list,
  /** The results that make a `phone` action an effective call (有効コール): the call reached the person. */
  effectiveCallResults: subset,
});
export type Choices = z.infer<typeof ChoicesSchema>;

export const DEFAULT_CHOICES: Choices = {
  channels: [
    { value: 'email', label: 'メール' },
    { value: 'phone', label: '電話' },
    { value: 'web_meeting', label: 'Web会議' },
    { value: 'visit', label: '訪問' },
    { value: 'other', label: 'その他' },
  ],
  contents: ['お礼', '製品説明', 'ヒアリング', '日程調整', '資料送付', 'デモ', '見積提示', 'フォロー', 'その他'],
  results: ['不在', '折り返し待ち', '担当者不在', '興味あり', 'アポ獲得', '検討中', '資料送付済み', '見込みなし', '連絡不要', 'その他'],
  stageReasons: {
    disqualified: ['競合導入済み', '予算なし', 'ニーズなし', '対象外の業種・規模', '連絡先不明', '重複', 'その他'],
    recycle: ['時期尚早', '予算確保待ち', '担当者異動', '検討凍結', '連絡つかず', 'その他'],
  },
  dealStages: ['初回商談', 'ヒアリング', '提案', '見積提示', '交渉', '契約手続き'],
  // The results of a call that reached the person: they showed interest, took a meeting, are thinking it over, said
  // there is no prospect or asked not to be called. 不在, 折り返し待ち and 担当者不在 did not reach them; 資料送付済み
  // and その他 say nothing of whether anyone was reached.
  effectiveCallResults: ['興味あり', 'アポ獲得', '検討中', '見込みなし', '連絡不要'],
};

/** Overrides: every key optional; a given list replaces the default list whole. */
const OverrideSchema = z.strictObject({
  channels: ChoicesSchema.shape.channels.optional(),
  contents: list.optional(),
  results: list.optional(),
  stageReasons: z.strictObject({ disqualified: list.optional(), recycle: list.optional() }).optional(),
  dealStages: list.optional(),
  effectiveCallResults: subset.optional(),
});

export function loadChoices(raw: string | undefined): Choices {
  if (raw === undefined || raw.trim() === '') return DEFAULT_CHOICES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new ConfigError(`CHOICES is not JSON: ${(cause as Error).message}`);
  }
  const result = OverrideSchema.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`CHOICES is not valid: ${issues}`);
  }
  const o = result.data;
  const channels = o.channels ?? DEFAULT_CHOICES.channels;
  // A label may be renamed, but every channel must keep one: actions already stored use these values.
  const missing = ACTION_CHANNELS.filter((c) => !channels.some((ch) => ch.value === c));
  if (missing.length > 0) throw new ConfigError(`CHOICES.channels lacks a label for ${missing.join(', ')}`);
  const results = o.results ?? DEFAULT_CHOICES.results;
  // Replaced results keep the default effective ones they still hold, unless the deployment names its own, which
  // must all be results: an effective result no action can have would count nothing, silently.
  const effectiveCallResults = o.effectiveCallResults ?? DEFAULT_CHOICES.effectiveCallResults.filter((r) => results.includes(r));
  const unknown = effectiveCallResults.filter((r) => !results.includes(r));
  if (unknown.length > 0) throw new ConfigError(`CHOICES.effectiveCallResults names what is not a result: ${unknown.join(', ')}`);
  return {
    channels,
    contents: o.contents ?? DEFAULT_CHOICES.contents,
    results,
    stageReasons: {
      disqualified: o.stageReasons?.disqualified ?? DEFAULT_CHOICES.stageReasons.disqualified,
      recycle: o.stageReasons?.recycle ?? DEFAULT_CHOICES.stageReasons.recycle,
    },
    dealStages: o.dealStages ?? DEFAULT_CHOICES.dealStages,
    effectiveCallResults,
  };
}

let loaded: Choices | undefined;

/** The deployment's choices, read from the environment once per container. */
export function choices(): Choices {
  loaded ??= loadChoices(config.choices());
  return loaded;
}

export const channelLabel = (channel: string): string => choices().channels.find((c) => c.value === channel)?.label ?? channel;

/** An effective call (有効コール): a phone action whose result is one of the deployment's effective results. */
export const isEffectiveCall = (channel: string, result: string): boolean => channel === 'phone' && choices().effectiveCallResults.includes(result);
