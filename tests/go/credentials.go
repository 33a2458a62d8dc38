// Credentials as a Go program gets them from the AWS SDK for Go v2 (the SDK of Terraform's AWS
// provider): config.LoadDefaultConfig, the SDK's own resolution of the environment, the shared
// config and credentials files (SSO, credential_process, static keys) and container credentials.
//
//	credentials [PROFILE]
//	credentials --token PROFILE
//
// Prints one JSON object: the credentials, with "expiration" as RFC 3339 in UTC (null when they
// do not expire) and "source" the SDK's provider, or {"error": MESSAGE} and exit status 1 when
// the SDK refused. With --token, the profile's SSO bearer token instead (the SDK's
// SSOTokenProvider, which renews an expired token with its refresh token and writes the cache
// file back): {"expiration": ...}, the token itself left out.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

type answer struct {
	AccessKeyID     string  `json:"accessKeyId"`
	SecretAccessKey string  `json:"secretAccessKey"`
	SessionToken    string  `json:"sessionToken"`
	Expiration      *string `json:"expiration"`
	Source          string  `json:"source"`
}

func fail(err error) {
	out, _ := json.Marshal(map[string]string{"error": err.Error()})
	fmt.Println(string(out))
	os.Exit(1)
}

func printToken(ctx context.Context, cfg aws.Config) {
	if cfg.BearerAuthTokenProvider == nil {
		fail(fmt.Errorf("the profile has no SSO session for a bearer token"))
	}
	got, err := cfg.BearerAuthTokenProvider.RetrieveBearerToken(ctx)
	if err != nil {
		fail(err)
	}
	expires := got.Expires.UTC().Format(time.RFC3339Nano)
	out, _ := json.Marshal(map[string]string{"expiration": expires})
	fmt.Println(string(out))
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	args := os.Args[1:]
	token := len(args) > 0 && args[0] == "--token"
	if token {
		args = args[1:]
	}
	var options []func(*config.LoadOptions) error
	if len(args) > 0 {
		options = append(options, config.WithSharedConfigProfile(args[0]))
	}
	cfg, err := config.LoadDefaultConfig(ctx, options...)
	if err != nil {
		fail(err)
	}
	if token {
		printToken(ctx, cfg)
		return
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		fail(err)
	}
	result := answer{
		AccessKeyID:     creds.AccessKeyID,
		SecretAccessKey: creds.SecretAccessKey,
		SessionToken:    creds.SessionToken,
		Source:          creds.Source,
	}
	if creds.CanExpire {
		expires := creds.Expires.UTC().Format(time.RFC3339Nano)
		result.Expiration = &expires
	}
	out, err := json.Marshal(result)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}
