// Talks to LM Studio through lmstudio-sidecar with the stock OpenAI SDK: only the base URL changes.
//
//   npm install
//   node chat.mjs
//
// SIDECAR_BASE_URL (default http://localhost:1235/v1, the sidecar in the same pod) and MODEL (default
// "auto": the sidecar picks the local model for the task) may be set in the environment.
import OpenAI from "openai";

const baseURL = process.env.SIDECAR_BASE_URL ?? "http://localhost:1235/v1";
const model = process.env.MODEL ?? "auto";

// The key is forwarded as is; LM Studio ignores it unless its authentication is on.
const client = new OpenAI({ baseURL, apiKey: process.env.OPENAI_API_KEY ?? "lm-studio" });

async function plainCall() {
  // withResponse() gives the headers too: which model answered, and why it was chosen.
  const { data: completion, response } = await client.chat.completions
    .create(
      {
        model,
        messages: [{ role: "user", content: "Write a JavaScript function that reverses a string." }],
        temperature: 0,
      },
      // A task hint: the sidecar routes "auto" without classifying the request.
      { headers: { "X-Sidecar-Task-Type": "coding" } },
    )
    .withResponse();
  console.log(
    `model: ${response.headers.get("x-sidecar-model")} | task: ${response.headers.get("x-sidecar-task")}` +
      ` | cache: ${response.headers.get("x-sidecar-cache")}`,
  );
  console.log(completion.choices[0].message.content);
}

async function streamedCall() {
  const stream = await client.chat.completions.create(
    {
      model,
      messages: [{ role: "user", content: "Tell a two-sentence story about a lighthouse." }],
      stream: true,
    },
    { headers: { "X-Sidecar-Task-Type": "creative" } },
  );
  for await (const chunk of stream) {
    process.stdout.write(chunk.choices[0]?.delta?.content ?? "");
  }
  process.stdout.write("\n");
}

await plainCall();
await streamedCall();
