/** Reading a stand-in's answer in tests: the body as JSON when it parses, as the raw text otherwise. */
export async function readAnswer(res: Response) {
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json: json as Record<string, unknown>, headers: res.headers };
}
