"""Stop an upload over the size limit as it arrives, instead of storing it first."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitHandler(FileUploadHandler):
    """Counts the bytes of each file; past UPLOAD_MAX_BYTES it stops reading the upload and
    records the file's name on the request (`request.upload_too_large`) for the form to report."""

    def __init__(self, request: object = None) -> None:
        super().__init__(request)
        self.received = 0

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_BYTES:
            self.request.upload_too_large = self.file_name
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
