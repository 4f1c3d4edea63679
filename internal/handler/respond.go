package handler

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sailpoint-cancel/wfcancel/internal/reply"
)

// encode wraps the answer in the response shape of the event it answers. An event of no
// known shape is answered in the shape that API Gateway's both payload formats read.
func encode(req *request, ans reply.Answer) (json.RawMessage, error) {
	var resp any
	s := shapeUnknown
	if req != nil {
		s = req.shape
	}
	switch s {
	case shapeHTTPAPI:
		resp = events.APIGatewayV2HTTPResponse{
			StatusCode: ans.Status, Headers: ans.Header, Body: ans.Body,
		}
	case shapeFunctionURL:
		resp = events.LambdaFunctionURLResponse{
			StatusCode: ans.Status, Headers: ans.Header, Body: ans.Body,
		}
	default:
		resp = events.APIGatewayProxyResponse{
			StatusCode: ans.Status, Headers: ans.Header, Body: ans.Body,
		}
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return nil, fmt.Errorf("encode answer: %w", err)
	}
	return b, nil
}
