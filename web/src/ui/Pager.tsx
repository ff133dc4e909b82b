import { Button } from './Button';

/** Previous/next through numbered pages ("Page 2 of 7"); with `ends`, first and last too. */
export function Pager({ label, page, pages, onGo, ends = false }: { label: string; page: number; pages: number; onGo: (page: number) => void; ends?: boolean }) {
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label={label}>
      {ends && (
        <Button variant="secondary" isDisabled={page <= 1} onPress={() => onGo(1)}>
          First page
        </Button>
      )}
      <Button variant="secondary" isDisabled={page <= 1} onPress={() => onGo(page - 1)}>
        Previous page
      </Button>
      <span>
        Page {page} of {pages}
      </span>
      <Button variant="secondary" isDisabled={page >= pages} onPress={() => onGo(page + 1)}>
        Next page
      </Button>
      {ends && (
        <Button variant="secondary" isDisabled={page >= pages} onPress={() => onGo(pages)}>
          Last page
        </Button>
      )}
    </nav>
  );
}
