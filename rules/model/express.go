package model

import (
	"context"

	"github.com/clerkguard/clerkguard/rules/knowledge"
)

type expressAdapter struct{}

func (expressAdapter) Framework() Framework { return knowledge.Express }

func (expressAdapter) Entries(ctx context.Context, m *Model) ([]*Entry, error) { return nil, nil }
