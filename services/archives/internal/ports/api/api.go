// Package api is the archives' REST API under <prefix>/api/v1 (contract: api/openapi.yaml):
// registers, documents and their files, record files, electronic exchange, fixity alerts, the
// attachments API for other services and the operator's provisioning call. Handlers parse,
// call the app and answer; errors go through httpapi's one mapping to problem+json.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"egov.vn/platform/libs/apperr"
	"egov.vn/platform/libs/auth"
	"egov.vn/platform/libs/httpapi"
	"egov.vn/platform/libs/platform"
	"egov.vn/platform/libs/platform/provision"
	"egov.vn/platform/services/archives/internal/app"
	"egov.vn/platform/services/archives/internal/domain"
)

// API holds the handlers.
type API struct {
	app *app.App
}

// New returns the API over a.
func New(a *app.App) *API { return &API{app: a} }

// Routes mounts the API on api, the /api/v1 group whose requests already carry the verified
// actor and its tenant scope (bootstrap.Web.API with the app's Scope), and the provisioning call
// on operator, the group for platform calls (bootstrap.Web.Operator).
func (h *API) Routes(api, operator gin.IRouter) {
	upload := httpapi.MaxBody(h.app.Config().MaxUploadBytes + 1<<20) // the file plus the form around it
	api.GET("/document-types", h.documentTypes)
	api.POST("/documents", upload, h.register)
	api.GET("/documents", h.documents)
	api.GET("/documents/:id", h.document)
	api.POST("/documents/:id/files", upload, h.addFile)
	api.PUT("/documents/:id/record", h.fileDocument)
	api.PUT("/documents/:id/legal-hold", h.legalHold)
	api.POST("/documents/:id/send", h.send)
	api.GET("/documents/:id/deliveries", h.deliveries)
	api.GET("/documents/:id/grants", h.grants)
	api.POST("/documents/:id/grants", h.grant)
	api.DELETE("/documents/:id/grants/:subject", h.revokeGrant)
	api.GET("/access-log", h.accessLog)
	api.POST("/documents/:id/read", h.markRead)
	api.GET("/files/:id/content", h.download)
	api.POST("/files/:id/download-url", h.presign)
	api.POST("/records", h.createRecord)
	api.GET("/records", h.records)
	api.GET("/records/:id", h.record)
	api.GET("/fixity/alerts", h.alerts)
	api.POST("/tenants/:slug/attachments/:ref", upload, h.actFor, h.storeAttachment)
	api.GET("/tenants/:slug/attachments/:ref", h.actFor, h.attachments)
	api.GET("/tenants/:slug/attachments/:ref/:file/content", h.actFor, h.download)
	provision.Routes(operator, h.app)
}

// actingKey keeps the actor as it acts for another tenant (actFor).
const actingKey = "archives.acting"

// who is the caller: the actor RequireActor set, or, on the attachments routes, that service as
// it acts for the tenant in the path.
func who(c *gin.Context) platform.Actor {
	if a, ok := c.Get(actingKey); ok {
		if act, ok := a.(platform.Actor); ok {
			return act
		}
	}
	return auth.ActorFrom(c)
}

func fail(c *gin.Context, err error) { httpapi.RespondError(c, err) }

func (h *API) documentTypes(c *gin.Context) {
	c.JSON(http.StatusOK, object{"items": domain.DocumentTypes(), "priorities": domain.Priorities(), "security_levels": domain.SecurityLevels()})
}

// register takes either a JSON document, or multipart/form-data whose first part "metadata" is
// that JSON and whose next part "file" is the file, streamed straight to MinIO.
func (h *API) register(c *gin.Context) {
	ct, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if ct != "multipart/form-data" {
		var in DocumentIn
		if err := httpapi.BindJSON(c, &in); err != nil {
			fail(c, err)
			return
		}
		h.registerDocument(c, in, nil)
		return
	}
	mr, err := MultipartReader(c.Request)
	if err != nil {
		fail(c, apperr.Malformed("", "the multipart body cannot be read: "+err.Error()))
		return
	}
	var in DocumentIn
	part, err := mr.NextPart()
	if err != nil || part.FormName() != "metadata" {
		fail(c, apperr.Malformed("metadata", "the first part must be \"metadata\", the document as JSON, before the file"))
		return
	}
	dec := json.NewDecoder(io.LimitReader(part, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		fail(c, apperr.Malformed("metadata", "is not the document's JSON: "+err.Error()))
		return
	}
	file, err := nextFile(mr)
	if err != nil {
		fail(c, err)
		return
	}
	h.registerDocument(c, in, file)
}

func (h *API) registerDocument(c *gin.Context, in DocumentIn, file *app.Upload) {
	d, err := DocumentInput(in)
	if err != nil {
		fail(c, err)
		return
	}
	d, err = h.app.Register(c.Request.Context(), who(c), d, file)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", c.FullPath()+"/"+d.ID)
	c.JSON(http.StatusCreated, toDocument(d))
}

// AnswerRegistered answers again a registration whose answer was lost (the process died after
// the commit; an idempotency.Rederiver): 201 with the document and the number it was given, never
// a second number.
func (h *API) AnswerRegistered(c *gin.Context, id string) {
	v, err := h.app.Document(c.Request.Context(), who(c), id, c.ClientIP())
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", c.FullPath()+"/"+id)
	c.JSON(http.StatusCreated, toDocument(v.Document))
}

// nextFile returns the next part named "file" as an upload, or nil when the body ends.
func nextFile(mr *FormReader) (*app.Upload, error) {
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, apperr.Malformed("file", "the multipart body is cut off: "+err.Error())
		}
		if err := part.DispositionErr(); err != nil {
			return nil, apperr.Malformed("file", "a part's Content-Disposition cannot be read ("+err.Error()+
				"); send each part as form-data with one name, and the file with one filename")
		}
		if part.FormName() == "file" {
			if part.FileName() == "" {
				return nil, nil // a form submitted without choosing a file
			}
			return &app.Upload{Name: part.FileName(), Body: part}, nil
		}
	}
}

// fileFromRequest reads an upload-only multipart body: its "file" part.
func fileFromRequest(c *gin.Context) (*app.Upload, error) {
	mr, err := MultipartReader(c.Request)
	if err != nil {
		return nil, apperr.Malformed("", "send the file as multipart/form-data in a part named \"file\"")
	}
	up, err := nextFile(mr)
	if err == nil && up == nil {
		err = apperr.Invalid("file", "Chưa chọn tệp")
	}
	return up, err
}

func (h *API) addFile(c *gin.Context) {
	up, err := fileFromRequest(c)
	if err != nil {
		fail(c, err)
		return
	}
	f, err := h.app.AddFile(c.Request.Context(), who(c), c.Param("id"), c.Query("version_of"), *up)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toFile(f))
}

func (h *API) documents(c *gin.Context) {
	q, err := documentQuery(c)
	if err != nil {
		fail(c, err)
		return
	}
	list, err := h.app.Documents(c.Request.Context(), who(c), q)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]documentOut, len(list))
	for i, d := range list {
		items[i] = toDocument(d)
	}
	c.JSON(http.StatusOK, object{"items": items})
}

func documentQuery(c *gin.Context) (domain.DocumentQuery, error) {
	var errs apperr.FieldErrors
	q := domain.DocumentQuery{Direction: domain.Direction(c.Query("direction")), Type: c.Query("type"), RecordID: c.Query("record_id"), Text: c.Query("q")}
	q.Year = intParam(&errs, c, "year", 0, 9999)
	q.Limit = intParam(&errs, c, "limit", 0, 500)
	q.Offset = intParam(&errs, c, "offset", 0, 1<<30)
	domain.ParseDate(&errs, "from", "Từ ngày", c.Query("from"), &q.From)
	domain.ParseDate(&errs, "to", "Đến ngày", c.Query("to"), &q.To)
	return q, errs.Err()
}

func intParam(errs *apperr.FieldErrors, c *gin.Context, name string, lo, hi int) int {
	s := c.Query(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		errs.Add(name, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
	}
	return n
}

func (h *API) document(c *gin.Context) {
	v, err := h.app.Document(c.Request.Context(), who(c), c.Param("id"), c.ClientIP())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toDocumentView(v))
}

func (h *API) fileDocument(c *gin.Context) {
	var in struct {
		RecordID string `json:"record_id"`
	}
	if err := httpapi.BindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	if err := h.app.FileDocument(c.Request.Context(), who(c), c.Param("id"), in.RecordID); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *API) legalHold(c *gin.Context) {
	var in struct {
		On *bool `json:"on"`
	}
	if err := httpapi.BindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	if in.On == nil {
		fail(c, apperr.Invalid("on", "say true to place the legal hold, false to lift it"))
		return
	}
	if err := h.app.SetLegalHold(c.Request.Context(), who(c), c.Param("id"), *in.On); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *API) send(c *gin.Context) {
	var in struct {
		Recipients []string `json:"recipients"`
	}
	if err := httpapi.BindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	ds, err := h.app.Send(c.Request.Context(), who(c), c.Param("id"), in.Recipients)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, object{"deliveries": toDeliveries(ds)})
}

func (h *API) deliveries(c *gin.Context) {
	v, err := h.app.Document(c.Request.Context(), who(c), c.Param("id"), c.ClientIP())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, object{"items": toDeliveries(v.Deliveries)})
}

func (h *API) markRead(c *gin.Context) {
	if err := h.app.MarkRead(c.Request.Context(), who(c), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// download streams one file version through the service (no MinIO address leaves the cluster).
func (h *API) download(c *gin.Context) {
	var (
		f    domain.StoredFile
		body io.ReadCloser
		err  error
	)
	if ref := c.Param("ref"); ref != "" {
		f, body, err = h.app.DownloadAttachment(c.Request.Context(), who(c), ref, c.Param("file"), c.ClientIP())
	} else {
		f, body, err = h.app.Download(c.Request.Context(), who(c), c.Param("id"), c.ClientIP())
	}
	if err != nil {
		fail(c, err)
		return
	}
	defer func() { _ = body.Close() }()
	c.Header("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Digest", "sha-256="+f.SHA256)
	c.Header("Cache-Control", "private, no-store")
	c.DataFromReader(http.StatusOK, f.Size, f.ContentType, body, nil)
}

func (h *API) presign(c *gin.Context) {
	u, exp, err := h.app.PresignedURL(c.Request.Context(), who(c), c.Param("id"), c.ClientIP())
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, object{"url": u, "expires_at": exp.Format(time.RFC3339)})
}

func (h *API) createRecord(c *gin.Context) {
	var in recordIn
	if err := httpapi.BindJSON(c, &in); err != nil {
		fail(c, err)
		return
	}
	r, err := recordInput(in)
	if err != nil {
		fail(c, err)
		return
	}
	if r, err = h.app.CreateRecord(c.Request.Context(), who(c), r); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toRecord(r))
}

func (h *API) records(c *gin.Context) {
	var errs apperr.FieldErrors
	q := domain.RecordQuery{Text: c.Query("q"), Limit: intParam(&errs, c, "limit", 0, 500), Offset: intParam(&errs, c, "offset", 0, 1<<30)}
	if err := errs.Err(); err != nil {
		fail(c, err)
		return
	}
	list, err := h.app.Records(c.Request.Context(), who(c), q)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]recordOut, len(list))
	for i, r := range list {
		items[i] = toRecord(r)
	}
	c.JSON(http.StatusOK, object{"items": items})
}

func (h *API) record(c *gin.Context) {
	v, err := h.app.Record(c.Request.Context(), who(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	docs := make([]object, len(v.Documents))
	for i, d := range v.Documents {
		docs[i] = object{"document": toDocument(d), "files": toFiles(v.Files[d.ID])}
	}
	c.JSON(http.StatusOK, object{"record": toRecord(v.Record), "documents": docs})
}

func (h *API) grants(c *gin.Context) {
	v, err := h.app.Document(c.Request.Context(), who(c), c.Param("id"), c.ClientIP())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, object{"items": toGrants(v.Grants)})
}

func (h *API) grant(c *gin.Context) {
	var in struct {
		Subject string `json:"subject"`
		Name    string `json:"name"`
	}
	if err := c.ShouldBindJSON(&in); err != nil {
		fail(c, apperr.Invalid("body", "Nội dung phải là JSON {\"subject\": \"...\", \"name\": \"...\"}"))
		return
	}
	g, err := h.app.Grant(c.Request.Context(), who(c), c.Param("id"), in.Subject, in.Name)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toGrant(g))
}

func (h *API) revokeGrant(c *gin.Context) {
	if err := h.app.RevokeGrant(c.Request.Context(), who(c), c.Param("id"), c.Param("subject")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *API) accessLog(c *gin.Context) {
	var errs apperr.FieldErrors
	n, offset := intParam(&errs, c, "limit", 1, 500), intParam(&errs, c, "offset", 0, 1<<30)
	if err := errs.Err(); err != nil {
		fail(c, err)
		return
	}
	list, err := h.app.UnitAccessLog(c.Request.Context(), who(c), n, offset)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]accessOut, len(list))
	for i, a := range list {
		items[i] = toAccess(a)
	}
	c.JSON(http.StatusOK, object{"items": items})
}

func (h *API) alerts(c *gin.Context) {
	list, err := h.app.Alerts(c.Request.Context(), who(c))
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]object, len(list))
	for i, a := range list {
		items[i] = object{"id": a.ID, "file_id": a.FileID, "document_id": a.DocumentID, "object_key": a.Key, "version_id": a.VersionID,
			"problem": a.Problem, "expected_sha256": a.ExpectedSHA256, "actual_sha256": a.ActualSHA256, "detail": a.Detail, "detected_at": a.DetectedAt}
	}
	c.JSON(http.StatusOK, object{"items": items})
}

// actFor lets a service token act for the tenant named in the path (app.ActFor says when).
func (h *API) actFor(c *gin.Context) {
	ctx, acting, err := h.app.ActFor(c.Request.Context(), auth.ActorFrom(c), c.Param("slug"))
	if err != nil {
		fail(c, err)
		c.Abort()
		return
	}
	c.Request = c.Request.WithContext(ctx)
	c.Set(actingKey, acting)
	c.Next()
}

func (h *API) storeAttachment(c *gin.Context) {
	up, err := fileFromRequest(c)
	if err != nil {
		fail(c, err)
		return
	}
	f, err := h.app.StoreAttachment(c.Request.Context(), who(c), c.Param("ref"), *up)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toFile(f))
}

func (h *API) attachments(c *gin.Context) {
	list, err := h.app.Attachments(c.Request.Context(), who(c), c.Param("ref"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, object{"items": toFiles(list)})
}
