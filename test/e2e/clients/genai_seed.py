# The newest seed's Python code (google-genai), run unchanged against Earshot. Only the environment points
# it there: GOOGLE_GEMINI_BASE_URL (the server) and GEMINI_API_KEY. argv[1]: a folder holding sample.mp3
# (speech in a long file) and small-sample.mp3. Prints each answer, then a `FACT {json}` line per step for
# test/e2e/clients-python.test.ts to check.
import json
import pathlib
import sys

from google import genai
from google.genai import types

media = pathlib.Path(sys.argv[1])


def fact(**kw):
    print("FACT " + json.dumps(kw), flush=True)


# Upload an audio file and generate content
client = genai.Client()
myfile = client.files.upload(file=str(media / "sample.mp3"))
response = client.models.generate_content(
    model="gemini-2.5-flash", contents=["Describe this audio clip", myfile]
)
print(response.text)
fact(step="describe", name=myfile.name, mime_type=myfile.mime_type, text=response.text)

# Pass audio data inline
with open(media / "small-sample.mp3", "rb") as f:
    audio_bytes = f.read()
response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents=[
        "Describe this audio clip",
        types.Part.from_bytes(
            data=audio_bytes,
            mime_type="audio/mp3",
        ),
    ],
)
print(response.text)
fact(step="inline", text=response.text)

# Get a transcript
myfile = client.files.upload(file=str(media / "sample.mp3"))
prompt = "Generate a transcript of the speech."
response = client.models.generate_content(model="gemini-2.5-flash", contents=[prompt, myfile])
print(response.text)
fact(step="transcript", name=myfile.name, text=response.text)

# Refer to timestamps
prompt = "Provide a transcript of the speech from 02:30 to 03:29."
response = client.models.generate_content(model="gemini-2.5-flash", contents=[prompt, myfile])
print(response.text)
fact(step="range", name=myfile.name, text=response.text)

# Count tokens
response = client.models.count_tokens(model="gemini-2.5-flash", contents=[myfile])
print(response)
fact(step="count", name=myfile.name, total_tokens=response.total_tokens)
