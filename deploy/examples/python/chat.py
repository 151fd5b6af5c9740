"""Talks to LM Studio through lmstudio-sidecar with the stock OpenAI SDK: only the base URL changes.

    pip install -r requirements.txt
    python chat.py

SIDECAR_BASE_URL (default http://localhost:1235/v1, the sidecar in the same pod) and MODEL (default
"auto": the sidecar picks the local model for the task) may be set in the environment.
"""

import os

from openai import OpenAI

BASE_URL = os.environ.get("SIDECAR_BASE_URL", "http://localhost:1235/v1")
MODEL = os.environ.get("MODEL", "auto")

# The key is forwarded as is; LM Studio ignores it unless its authentication is on.
client = OpenAI(base_url=BASE_URL, api_key=os.environ.get("OPENAI_API_KEY", "lm-studio"))


def plain_call() -> None:
    # with_raw_response gives the headers too: which model answered, and why it was chosen.
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Write a Python function that reverses a string."}],
        temperature=0,
        # A task hint: the sidecar routes "auto" without classifying the request.
        extra_headers={"X-Sidecar-Task-Type": "coding"},
    )
    completion = raw.parse()
    print("model:", raw.headers.get("X-Sidecar-Model"), "| task:", raw.headers.get("X-Sidecar-Task"),
          "| cache:", raw.headers.get("X-Sidecar-Cache"))
    print(completion.choices[0].message.content)


def streamed_call() -> None:
    stream = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": "Tell a two-sentence story about a lighthouse."}],
        stream=True,
        extra_headers={"X-Sidecar-Task-Type": "creative"},
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            print(chunk.choices[0].delta.content, end="", flush=True)
    print()


if __name__ == "__main__":
    plain_call()
    streamed_call()
