# The two older seeds' Python code (google-generativeai, the legacy client), run against Earshot. The seed
# code is unchanged; only its configuration differs (marked below): this client fetches a discovery
# document from a hard-coded Google URL before its first upload, and talks gRPC unless told `rest`.
# Environment: EARSHOT_URL (the server), API_KEY. argv[1]: a folder holding sample.mp3, samplesmall.mp3
# and poem.txt. Prints what the seeds print, then a `FACT {json}` line per step for the node test.
import json
import os
import pathlib
import sys

import google.api_core.exceptions
import google.generativeai as genai
from google.generativeai import client as genai_client

# ---- pointing the client at Earshot: the only lines that differ from the seeds ----
genai_client.GENAI_API_DISCOVERY_URL = os.environ["EARSHOT_URL"] + "/$discovery/rest"
genai.configure(
    api_key=os.environ["API_KEY"],
    transport="rest",
    client_options={"api_endpoint": os.environ["EARSHOT_URL"]},
)
# ----

media = pathlib.Path(sys.argv[1])


def fact(**kw):
    print("FACT " + json.dumps(kw), flush=True)


# Upload an audio file and generate content
myfile = genai.upload_file(media / "sample.mp3")
print(f"{myfile=}")

model = genai.GenerativeModel("gemini-1.5-flash")
result = model.generate_content([myfile, "Describe this audio clip"])
print(f"{result.text=}")
fact(step="describe", name=myfile.name, mime_type=myfile.mime_type, text=result.text)
audio_file = myfile

# Get metadata for a file
myfile = genai.upload_file(media / "poem.txt")
file_name = myfile.name
print(file_name)  # "files/*"

myfile = genai.get_file(file_name)
print(myfile)
fact(step="get", name=file_name, got=myfile.name, mime_type=myfile.mime_type, size_bytes=myfile.size_bytes)

# List uploaded files
print("My files:")
listed = []
for f in genai.list_files():
    print("  ", f.name)
    listed.append(f.name)
fact(step="list", names=listed)

# Delete uploaded files
myfile = genai.upload_file(media / "poem.txt")

myfile.delete()

# The seed catches PermissionDenied, the class gRPC's PERMISSION_DENIED maps to. Earshot speaks REST only,
# and google-api-core maps an HTTP 403 to Forbidden, PermissionDenied's base class; the outer handler
# records which one arrived and the Google status on the wire.
raised = None
try:
    try:
        # Error.
        model = genai.GenerativeModel("gemini-1.5-flash")
        result = model.generate_content([myfile, "Describe this file."])
    except google.api_core.exceptions.PermissionDenied:
        raised = "PermissionDenied"
except google.api_core.exceptions.Forbidden as e:
    raised = type(e).__name__ + ":" + e.response.json()["error"]["status"]
fact(step="delete", name=myfile.name, raised=raised)

# Provide the audio file as inline data in the request
model = genai.GenerativeModel('models/gemini-1.5-flash')
prompt = "Please summarize the audio."
response = model.generate_content([
    prompt,
    {
        "mime_type": "audio/mp3",
        "data": pathlib.Path(media / 'samplesmall.mp3').read_bytes()
    }
])
print(response.text)
fact(step="inline", text=response.text)

# Get a transcript of the audio file
model = genai.GenerativeModel(model_name="gemini-1.5-flash")
prompt = "Generate a transcript of the speech."
response = model.generate_content([prompt, audio_file])
print(response.text)
fact(step="transcript", name=audio_file.name, text=response.text)

# Refer to timestamps in the audio file
prompt = "Provide a transcript of the speech from 02:30 to 03:29."
response = model.generate_content([prompt, audio_file])
print(response.text)
fact(step="range", name=audio_file.name, text=response.text)

# Count tokens
tokens = model.count_tokens([audio_file])
print(tokens)
fact(step="count", name=audio_file.name, total_tokens=tokens.total_tokens)
