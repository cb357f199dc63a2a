// A guest that makes outgoing HTTP requests with StarlingMonkey's fetch (wasi:http underneath).
// Each export answers "<status> <body>" or "error: <message>", so tests see what the guest saw.

async function answer(response) {
  return `${response.status} ${await response.text()}`;
}

export async function get(url) {
  try {
    return await answer(await fetch(url));
  } catch (error) {
    return `error: ${error?.message ?? error}`;
  }
}

export async function send(method, url, headers, body) {
  try {
    const init = { method, headers: JSON.parse(headers) };
    if (body.length > 0) init.body = body;
    return await answer(await fetch(url, init));
  } catch (error) {
    return `error: ${error?.message ?? error}`;
  }
}
