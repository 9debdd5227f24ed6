/** The server's JSON API: reads are free on this machine, actions send the token. */
const TOKEN_KEY = "gaffer-token";

export function savedToken(): string {
  return localStorage.getItem(TOKEN_KEY) ?? "";
}

export function saveToken(token: string): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  readonly hint: string | null;
  constructor(message: string, hint: string | null) {
    super(message);
    this.hint = hint;
  }
}

async function parse<T>(response: Response): Promise<T> {
  const body = (await response.json()) as T & { error?: { message: string; hint: string | null } };
  if (!response.ok) throw new ApiError(body.error?.message ?? response.statusText, body.error?.hint ?? null);
  return body;
}

export async function get<T>(path: string): Promise<T> {
  return parse<T>(await fetch(`api/${path}`, { headers: { Accept: "application/json" } }));
}

export async function post<T>(path: string, body: object = {}): Promise<T> {
  return parse<T>(
    await fetch(`api/${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${savedToken()}` },
      body: JSON.stringify(body),
    }),
  );
}
