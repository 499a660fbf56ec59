package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/foyer-events/foyer/internal/links"
	"github.com/foyer-events/foyer/internal/media"
	"github.com/foyer-events/foyer/internal/programme"
)

// Media is a stored image.
type Media struct {
	ContentType string
	Data        []byte
}

// PutMedia stores a processed image for an event (its slug; "" for the
// installation) and returns its address on this site (/media/NAME).
// Storing the same image twice keeps one copy.
func (s *Store) PutMedia(ctx context.Context, event string, img *media.Image) (string, error) {
	err := s.tx(ctx, func(tx *writeTx) error {
		if err := putMedia(ctx, tx, img); err != nil {
			return err
		}
		return tx.audit(ctx, AuditMedia, event, "media:"+img.Name, map[string]Change{
			"size": {After: fmt.Sprintf("%d×%d", img.Width, img.Height)}})
	})
	if err != nil {
		return "", fmt.Errorf("store: put media: %w", err)
	}
	return links.Media(img.Name), nil
}

func putMedia(ctx context.Context, tx *writeTx, img *media.Image) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO media (name, content_type, width, height, data, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		img.Name, img.ContentType, img.Width, img.Height, img.Data, now())
	return err
}

// GetMedia returns a stored image by name, or ErrNotFound.
func (s *Store) GetMedia(ctx context.Context, name string) (*Media, error) {
	var m Media
	err := s.read.QueryRowContext(ctx, "SELECT content_type, data FROM media WHERE name = ?", name).Scan(&m.ContentType, &m.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get media: %w", err)
	}
	return &m, nil
}

// takeImages processes every image of e given as a data: URI, puts the
// address it will have in its place, and returns the images to store.
// One that cannot be read is a problem of the programme at its place, as
// Validate would name it.
func takeImages(e *programme.Event) ([]*media.Image, error) {
	var images []*media.Image
	var problems []programme.Problem
	e.Images(func(where string, ref *string) error {
		_, data, isData, err := programme.DataImage(*ref)
		if !isData || err != nil { // Validate has named a broken one
			return nil
		}
		purpose := media.Photo
		switch {
		case strings.HasSuffix(where, ".logo"):
			purpose = media.Logo
		case strings.HasSuffix(where, ".favicon"):
			purpose = media.Favicon
		}
		img, err := media.Process(data, purpose)
		switch {
		case errors.Is(err, media.ErrPixels):
			problems = append(problems, programme.Problem{Where: where, Key: "programme.error.image_pixels", Args: []any{media.MaxPixels / 1_000_000}})
		case err != nil:
			problems = append(problems, programme.Problem{Where: where, Key: "programme.error.image_bad"})
		default:
			images = append(images, img)
			*ref = links.Media(img.Name)
		}
		return nil
	})
	if len(problems) > 0 {
		return nil, &programme.Error{Problems: problems}
	}
	return images, nil
}
