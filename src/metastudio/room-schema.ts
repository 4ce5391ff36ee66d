import * as z from "zod";

/**
 * The documented response of `GET /v1/{project_id}/smart-chat-rooms`. Objects are loose: fields
 * this version does not know are kept, because the raw item is stored as received.
 * Only what the mirror cannot do without is strict (`room_id`); everything else is optional and
 * nullable, since the upstream omits optional fields rather than promising them.
 */
const optionalString = z.string().nullish();
const optionalInt = z.number().int().nullish();

export const voiceConfigSchema = z.looseObject({
  voice_asset_id: optionalString,
  speed: optionalInt,
  pitch: optionalInt,
  volume: optionalInt,
  provider: optionalString,
  language: optionalString,
  language_desc: optionalString,
});

export const modelInfoSchema = z.looseObject({
  model_asset_id: optionalString,
  asset_name: optionalString,
  backup_model_asset_ids: z.array(z.string()).nullish(),
});

export const roomSchema = z.looseObject({
  room_id: z.string().min(1),
  room_name: optionalString,
  room_description: optionalString,
  robot_id: optionalString,
  cover_url: optionalString,
  model_infos: modelInfoSchema.nullish(),
  voice_config: z.looseObject({}).nullish(),
  billing_mode: optionalString,
  reuse_resource: z.boolean().nullish(),
  concurrency: optionalInt,
  client_nums: optionalInt,
  voice_config_list: z.array(voiceConfigSchema).nullish(),
  default_language: optionalString,
  create_time: z.iso.datetime({ offset: true }).nullish(),
  update_time: z.iso.datetime({ offset: true }).nullish(),
  exit_mute_threshold: optionalInt,
});

/** The page envelope; items are checked one by one so one bad item does not sink the page. */
export const pageSchema = z.looseObject({
  count: z.number().int().nonnegative(),
  count_concurrency: optionalInt,
  count_client_nums: optionalInt,
  count_client_nums_token: optionalInt,
  smart_chat_rooms: z.array(z.unknown()).nullish(),
});

export const errorBodySchema = z.looseObject({
  error_code: z.string().optional(),
  error_msg: z.string().optional(),
});

export type VoiceConfig = z.infer<typeof voiceConfigSchema>;
export type ModelInfo = z.infer<typeof modelInfoSchema>;
export type SmartChatRoom = z.infer<typeof roomSchema>;

/** Documented value ranges: values outside them are kept as sent, with a warning. */
export const documentedRanges: Record<string, readonly [number, number]> = {
  concurrency: [0, 1024],
  client_nums: [0, 1024],
  exit_mute_threshold: [0, 1440],
  speed: [50, 200],
  pitch: [50, 200],
  volume: [90, 240],
};
