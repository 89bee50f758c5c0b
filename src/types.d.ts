/** Markdown files imported as text (esbuild's `.md: 'text'` loader), e.g. prompt templates. */
declare module '*.md' {
  const text: string;
  export default text;
}
