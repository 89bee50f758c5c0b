/**
 * Whether a fenced Python block in a reply is code the model shows the user as its answer
 * ("here is a function you can use later", "would you like me to run it?") rather than an action
 * to run. Decided from what the model says just before the block and on the first line after it;
 * a reply that says it will run the code is an action. Used in the `auto` format only, where a
 * fence is both how models act and how they show code; the approval card stays the safeguard
 * when this guesses wrong. Pure.
 */

/** The model offers to run the code, or asks the user first: the block is not run yet. */
const OFFER = /\b(would you like|do you want|shall i|should i|want me to|let me know if|if you(?:'d| would)? like me to|if you want,? i can)\b/i;

/** The model hands the code to the user. */
const HANDED_TO_USER =
  /\byou (?:can|could|may|might)\b|\bfor (?:you|your own use|later use)\b|\b(?:use|run|call) (?:it|this|them) later\b|\bfeel free\b|\bcopy (?:and paste|this|it)\b|\bpaste (?:it|this)\b|\bsave (?:it|this) (?:as|to|in)\b|\b(?:example )?usage:/i;

/** The model says it will run the code now. */
const INTENT =
  /\b(?:let me(?! know)|let's|let us|i'll|i will|i'm going to|i am going to|i need to|i'm (?:now )?(?:running|executing)|i am (?:now )?(?:running|executing)|running (?:it|this) now)\b/i;

/** The last paragraph of `text`: what the model said just before the block. */
function lastParagraph(text: string): string {
  const paragraphs = text.split(/\n[ \t]*\n/).map((p) => p.trim()).filter((p) => p !== '');
  return paragraphs.at(-1) ?? '';
}

/**
 * `before`: the reply's text before the block. `after`: the first non-blank line after it ('' at
 * the end of the reply).
 */
export function showsCodeAsAnswer(before: string, after: string): boolean {
  const lead = lastParagraph(before);
  const next = after.trim();
  if (OFFER.test(next)) return true;
  if (INTENT.test(lead) || INTENT.test(next)) return false;
  return HANDED_TO_USER.test(lead) || HANDED_TO_USER.test(next);
}
