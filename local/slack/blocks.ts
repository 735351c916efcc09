/**
 * Structural Block Kit checks for incoming-webhook payloads: the subset of Slack's rules a malformed message
 * from our Action would break (unknown block types, empty or over-long text objects, too many blocks or
 * fields). Slack answers any of these with 400 "invalid_blocks". Returns the problems; empty = well-formed.
 */

export const MAX_BLOCKS = 50;
const SECTION_TEXT_MAX = 3000;
const FIELD_TEXT_MAX = 2000;
const HEADER_TEXT_MAX = 150;
const BLOCK_ID_MAX = 255;
const MAX_FIELDS = 10;
const MAX_CONTEXT_ELEMENTS = 10;
const MAX_ACTION_ELEMENTS = 25;

const BLOCK_TYPES = [
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'video',
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkText(v: unknown, where: string, max: number, problems: string[], plainOnly = false): void {
  if (!isObj(v)) {
    problems.push(`${where} must be a text object`);
    return;
  }
  if (v.type !== 'plain_text' && v.type !== 'mrkdwn') {
    problems.push(`${where}.type must be plain_text or mrkdwn`);
  } else if (plainOnly && v.type !== 'plain_text') {
    problems.push(`${where}.type must be plain_text`);
  }
  if (typeof v.text !== 'string' || v.text.length === 0) {
    problems.push(`${where}.text must be a non-empty string`);
  } else if (v.text.length > max) {
    problems.push(`${where}.text is longer than ${max} characters`);
  }
}

export function validateBlocks(blocks: unknown): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks must be an array'];
  if (blocks.length > MAX_BLOCKS) problems.push(`at most ${MAX_BLOCKS} blocks are allowed`);
  const ids = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `blocks[${i}]`;
    if (!isObj(block)) {
      problems.push(`${at} must be an object`);
      return;
    }
    if (typeof block.type !== 'string' || !BLOCK_TYPES.includes(block.type)) {
      problems.push(`${at}.type ${JSON.stringify(block.type)} is not a block type`);
      return;
    }
    if (block.block_id !== undefined) {
      if (typeof block.block_id !== 'string' || block.block_id.length > BLOCK_ID_MAX) {
        problems.push(`${at}.block_id must be a string of at most ${BLOCK_ID_MAX} characters`);
      } else if (ids.has(block.block_id)) {
        problems.push(`${at}.block_id ${block.block_id} is not unique`);
      } else {
        ids.add(block.block_id);
      }
    }
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) {
          problems.push(`${at} needs text or fields`);
        }
        if (block.text !== undefined) checkText(block.text, `${at}.text`, SECTION_TEXT_MAX, problems);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length === 0 || block.fields.length > MAX_FIELDS) {
            problems.push(`${at}.fields must hold 1 to ${MAX_FIELDS} text objects`);
          } else {
            block.fields.forEach((f, j) => checkText(f, `${at}.fields[${j}]`, FIELD_TEXT_MAX, problems));
          }
        }
        break;
      }
      case 'header':
        checkText(block.text, `${at}.text`, HEADER_TEXT_MAX, problems, true);
        break;
      case 'context': {
        const els = block.elements;
        if (!Array.isArray(els) || els.length === 0 || els.length > MAX_CONTEXT_ELEMENTS) {
          problems.push(`${at}.elements must hold 1 to ${MAX_CONTEXT_ELEMENTS} elements`);
        } else {
          els.forEach((e, j) => {
            if (isObj(e) && e.type === 'image') {
              if (typeof e.image_url !== 'string' || typeof e.alt_text !== 'string') {
                problems.push(`${at}.elements[${j}] image needs image_url and alt_text`);
              }
            } else {
              checkText(e, `${at}.elements[${j}]`, SECTION_TEXT_MAX, problems);
            }
          });
        }
        break;
      }
      case 'actions': {
        const els = block.elements;
        if (!Array.isArray(els) || els.length === 0 || els.length > MAX_ACTION_ELEMENTS) {
          problems.push(`${at}.elements must hold 1 to ${MAX_ACTION_ELEMENTS} elements`);
        } else if (!els.every((e) => isObj(e) && typeof e.type === 'string')) {
          problems.push(`${at}.elements must be interactive elements with a type`);
        }
        break;
      }
      case 'image':
        if (typeof block.image_url !== 'string' && !isObj(block.slack_file)) {
          problems.push(`${at} needs image_url or slack_file`);
        }
        if (typeof block.alt_text !== 'string') problems.push(`${at}.alt_text is required`);
        break;
      case 'divider':
        break;
      default:
        break; // rarer block types: accepted on their type alone
    }
  });
  return problems;
}
