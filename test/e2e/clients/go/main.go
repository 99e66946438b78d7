// The Chinese seed's Go code (google.golang.org/genai), run against Earshot. genai.NewClient(ctx, nil)
// reads GOOGLE_GEMINI_BASE_URL (the server) and GEMINI_API_KEY from the environment: nothing in the code
// points it anywhere. Errors the seed drops with `_` are checked here so a failure exits non-zero.
// os.Args[1]: a folder holding sample.mp3 and small-sample.mp3. Prints each answer, then a
// `FACT {json}` line per step for test/e2e/clients-go.test.ts.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"google.golang.org/genai"
)

func fact(kv map[string]any) {
	b, _ := json.Marshal(kv)
	fmt.Println("FACT " + string(b))
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

func main() {
	media := os.Args[1]
	ctx := context.Background()
	client, err := genai.NewClient(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}

	// Upload an audio file and generate content
	localAudioPath := filepath.Join(media, "sample.mp3")
	uploadedFile := must(client.Files.UploadFromPath(
		ctx,
		localAudioPath,
		nil,
	))
	parts := []*genai.Part{
		genai.NewPartFromText("Describe this audio clip"),
		genai.NewPartFromURI(uploadedFile.URI, uploadedFile.MIMEType),
	}
	contents := []*genai.Content{
		genai.NewContentFromParts(parts, genai.RoleUser),
	}
	result := must(client.Models.GenerateContent(
		ctx,
		"gemini-2.5-flash",
		contents,
		nil,
	))
	fmt.Println(result.Text())
	fact(map[string]any{"step": "describe", "name": uploadedFile.Name, "mime_type": uploadedFile.MIMEType, "text": result.Text()})

	// Pass audio data inline
	audioBytes := must(os.ReadFile(filepath.Join(media, "small-sample.mp3")))
	parts = []*genai.Part{
		genai.NewPartFromText("Describe this audio clip"),
		&genai.Part{
			InlineData: &genai.Blob{
				MIMEType: "audio/mp3",
				Data:     audioBytes,
			},
		},
	}
	contents = []*genai.Content{
		genai.NewContentFromParts(parts, genai.RoleUser),
	}
	result = must(client.Models.GenerateContent(
		ctx,
		"gemini-2.5-flash",
		contents,
		nil,
	))
	fmt.Println(result.Text())
	fact(map[string]any{"step": "inline", "text": result.Text()})

	// Get a transcript
	parts = []*genai.Part{
		genai.NewPartFromText("Generate a transcript of the speech."),
		genai.NewPartFromURI(uploadedFile.URI, uploadedFile.MIMEType),
	}
	contents = []*genai.Content{
		genai.NewContentFromParts(parts, genai.RoleUser),
	}
	result = must(client.Models.GenerateContent(ctx, "gemini-2.5-flash", contents, nil))
	fmt.Println(result.Text())
	fact(map[string]any{"step": "transcript", "name": uploadedFile.Name, "text": result.Text()})

	// Refer to timestamps
	parts = []*genai.Part{
		genai.NewPartFromText("Provide a transcript of the speech " +
			"between the timestamps 02:30 and 03:29."),
		genai.NewPartFromURI(uploadedFile.URI, uploadedFile.MIMEType),
	}
	contents = []*genai.Content{
		genai.NewContentFromParts(parts, genai.RoleUser),
	}
	result = must(client.Models.GenerateContent(ctx, "gemini-2.5-flash", contents, nil))
	fmt.Println(result.Text())
	fact(map[string]any{"step": "range", "name": uploadedFile.Name, "text": result.Text()})

	// Count tokens
	parts = []*genai.Part{
		genai.NewPartFromURI(uploadedFile.URI, uploadedFile.MIMEType),
	}
	contents = []*genai.Content{
		genai.NewContentFromParts(parts, genai.RoleUser),
	}
	tokens := must(client.Models.CountTokens(
		ctx,
		"gemini-2.5-flash",
		contents,
		nil,
	))
	fmt.Printf("File %s is %d tokens\n", localAudioPath, tokens.TotalTokens)
	fact(map[string]any{"step": "count", "name": uploadedFile.Name, "total_tokens": tokens.TotalTokens})
}
